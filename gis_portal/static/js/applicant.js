// The applicant's fields of a request (web/_applicant_fields.html), shared by the request wizard and the
// excavation request: their names, and the check digits of the CNP / CUI typed (identity.js).
import { idCodeProblem } from "./identity.js";

export const APPLICANT_FIELDS = ["applicant_type", "applicant_name", "applicant_id_code", "applicant_address",
  "applicant_email"];

// What is wrong with the CNP / CUI typed for the applicant type chosen; null when it is right or still empty.
export function applicantCodeProblem() {
  const code = document.getElementById("applicant_id_code").value.trim();
  return code ? idCodeProblem(document.getElementById("applicant_type").value, code) : null;
}
