"""notifications_record_v1: record the notifications of a transition and defer ONE delivery job for them.

Called by notifications.services (`_insert_and_defer`) inside every transition that notifies, so
it is a PL/pgSQL function: its statement is planned once per connection, not at every call (the
plan was a third of the database time of enqueueing). The rows arrive as one JSON array (one
parameter, cheap to send); the job is created by procrastinate's own `procrastinate_defer_jobs_v1`
(what `Task.defer` calls) with args {"notification_ids": [...]} of the e-mail and webhook rows
actually inserted (a repeated event inserts nothing and defers nothing).
Keep the column list in step with notifications.models.Notification.
"""
from django.db import migrations

FORWARD = """
CREATE FUNCTION notifications_record_v1(p_rows jsonb, p_now timestamptz, p_queue text, p_task text, p_priority integer)
    RETURNS TABLE (id bigint, uuid uuid, channel text, user_id bigint, institution_id bigint)
    LANGUAGE plpgsql
AS $$
BEGIN
    RETURN QUERY
    WITH inserted AS (
        INSERT INTO notifications_notification AS n (uuid, event, channel, user_id, institution_id, address,
               language, context, idempotency_key, subject, body, status, attempts, last_error, created_at,
               delivered_at)
        SELECT gen_random_uuid(), r.event, r.channel, r.user_id, r.institution_id, r.address, r.language,
               r.context, r.idempotency_key, r.subject, r.body, r.status, 0, '', p_now,
               CASE WHEN r.status = 'delivered' THEN p_now END
        FROM jsonb_to_recordset(p_rows) AS r(event text, channel text, user_id bigint, institution_id bigint,
             address text, language text, context jsonb, idempotency_key text, subject text, body text,
             status text)
        ON CONFLICT ON CONSTRAINT notification_once_per_event_recipient_channel DO NOTHING
        RETURNING n.id, n.uuid, n.channel::text, n.user_id, n.institution_id
    ), deferred AS (
        SELECT procrastinate_defer_jobs_v1(ARRAY(
            SELECT ROW(p_queue, p_task, p_priority, NULL, NULL,
                       jsonb_build_object('notification_ids', jsonb_agg(i.id ORDER BY i.id)),
                       NULL)::procrastinate_job_to_defer_v1
            FROM inserted i WHERE i.channel <> 'in_app' HAVING count(*) > 0)) AS job_ids
    )
    SELECT i.id, i.uuid, i.channel, i.user_id, i.institution_id FROM inserted i CROSS JOIN deferred;
END;
$$;
"""
BACKWARD = "DROP FUNCTION IF EXISTS notifications_record_v1(jsonb, timestamptz, text, text, integer);"


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("procrastinate", "0038_post_batch_defer_jobs"),  # procrastinate_defer_jobs_v1
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
