"""Fill the English catalogues of the web UI (source strings are Romanian)."""
import re, sys
EN = {
"Portal urbanism": "Urbanism portal", "Sari la conținut": "Skip to content", "Navigare principală": "Main navigation",
"Hartă": "Map", "Cerere CU nouă": "New CU request", "Cererile mele": "My requests", "Registru cereri": "Request register",
"Avize": "Avize (opinions)", "Solicitări de aviz": "Aviz requests", "Administrare": "Administration", "Ieșire": "Log out",
"Autentificare": "Log in", "Cont nou": "Sign up", "E-mail": "E-mail", "Prenume": "First name", "Nume": "Last name",
"Există deja un cont cu această adresă de e-mail.": "An account with this e-mail address already exists.",
"Ciornă": "Draft", "Înregistrată": "Registered", "În analiză": "In review", "Returnată pentru completare": "Returned for completion",
"Completată": "Completed", "În avizare": "Awaiting avize", "Emisă": "Issued", "Respinsă": "Refused", "Retrasă": "Withdrawn",
"Expirată": "Expired", "Trimite cererea": "Submit the request", "Acceptă spre analiză": "Accept for review",
"Returnează pentru completare": "Return for completion", "Retrimite completată": "Resubmit completed",
"Solicită avizele": "Request the avize", "Avize complete": "Avize complete",
"Derogare de la verificări (arhitect-șef)": "Override checks (chief architect)", "Emite": "Issue", "Respinge": "Refuse",
"Retrage cererea": "Withdraw the request", "Marchează expirată": "Mark expired", "Trimisă": "Sent", "Văzută": "Viewed",
"Completări solicitate": "Completion requested", "Favorabil": "Favourable", "Favorabil cu condiții": "Favourable with conditions",
"Nefavorabil": "Unfavourable", "Aprobat tacit": "Tacitly approved", "Parcele (de la zoom 14)": "Parcels (from zoom 14)",
"Clădiri": "Buildings", "Regim juridic": "Legal regime", "Solicitant": "Applicant", "Parcele": "Parcels", "UAT": "UAT",
"Emitent": "Issuer", "Scop": "Purpose", "Localitate": "Locality", "Regim economic și tehnic": "Economic and technical regime",
"Înălțime maximă": "Maximum height", "Funcțiuni permise": "Allowed functions", "Funcțiuni interzise": "Forbidden functions",
"Nicio UTR (fără date de zonificare).": "No zoning unit (no zoning data).", "Restricții": "Constraints",
"Nicio restricție atinsă.": "No constraint hit.", "Avize și acorduri necesare": "Required avize and consents",
"Niciun aviz pe criterii spațiale.": "No aviz required on spatial grounds.", "Taxă": "Fee", "plătită": "paid",
"Importul din pagină devine disponibil odată cu API-ul de import al straturilor; până atunci: manage.py import_layer.":
 "Importing from this page comes with the layer import API; until then use manage.py import_layer.",
"Administrare detaliată (Django admin)": "Detailed administration (Django admin)", "Straturi și versiuni": "Layers and versions",
"Import: încărcați un fișier GeoJSON, GeoPackage, Shapefile arhivat sau GeoTIFF; fiecare import creează o versiune nouă.":
 "Import: upload a GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF file; each import creates a new version.",
"Strat": "Layer", "Tip": "Type", "Temă": "Theme", "Versiuni": "Versions", "Niciun strat.": "No layers.",
"Instituții avizatoare": "Partner institutions", "Cod": "Code", "Denumire": "Name", "Revieweri": "Reviewers",
"Reguli spațiale": "Spatial rules", "Editați regulile R1…R37 în Django admin": "Edit rules R1…R37 in Django admin",
"Solicitare de aviz": "Aviz request", "Instituție": "Institution", "Lucrări": "Works", "Termen de răspuns": "Answer due",
"Versiunea documentației": "Dossier version", "De ce vi se cere avizul": "Why your aviz is requested", "Documente": "Documents",
"Niciun document.": "No documents.", "Răspuns": "Answer", "Descarcă avizul semnat (PDF)": "Download the signed aviz (PDF)",
"Răspunsul instituției": "The institution's answer", "Rezultat": "Outcome", "Număr aviz": "Aviz number",
"Condiții (una pe rând)": "Conditions (one per line)", "Motivare / observații": "Reasons / remarks",
"Trimite răspunsul semnat": "Send the signed answer",
"Harta cererii: parcele, amprenta lucrărilor și restricțiile atinse": "Request map: parcels, works footprint and constraints hit",
"Cerere certificat de urbanism": "Urbanism certificate request",
"Cerere pentru emiterea certificatului de urbanism": "Request for an urbanism certificate (CU)",
"Solicitant și scop": "Applicant and purpose", "Taxă și trimitere": "Fee and submission", "Documentație": "Plan",
"Alegeți parcela sau parcelele": "Choose the parcel or parcels", "Număr cadastral sau adresă": "Cadastral number or address",
"Caută": "Search", "Parcele alese": "Chosen parcels", "Puteți alege și făcând clic pe hartă.": "You can also choose by clicking on the map.",
"Tip solicitant": "Applicant type", "Nume și prenume / denumire": "Full name / company name", "CNP / CUI": "CNP / CUI (ID code)",
"Se verifică cifra de control.": "The check digit is verified.", "Domiciliu / sediu": "Address / registered office",
"Scopul certificatului": "Purpose of the certificate", "Lucrările propuse": "Proposed works", "Categoria lucrărilor": "Works category",
"Descriere": "Description", "Niveluri": "Levels", "Înălțime (m)": "Height (m)", "Amprenta lucrărilor": "Works footprint",
"Desenați pe hartă conturul construcției: clic pentru fiecare colț, clic pe primul punct pentru a închide. Colțurile se lipesc de limitele parcelei; ce iese din parcelă se decupează.":
 "Draw the building outline on the map: click each corner, click the first point to close. Corners snap to the parcel's corners; whatever lies outside the parcel is clipped.",
"Desenează amprenta": "Draw the footprint", "Șterge desenul": "Clear the drawing", "Nicio amprentă desenată.": "No footprint drawn.",
"Trageți fișierele (PDF, PNG, JPEG) peste caseta documentului sau alegeți-le cu butonul.":
 "Drag files (PDF, PNG, JPEG) onto the document's box or choose them with the button.",
"Progres încărcare": "Upload progress", "Taxa pentru certificatul de urbanism": "Urbanism certificate fee",
"Avize care vor fi necesare": "Avize that will be required", "Înapoi": "Back", "Continuă": "Continue",
"Hartă: alegerea parcelei și desenarea amprentei": "Map: choosing the parcel and drawing the footprint",
"Găsiți parcela": "Find your parcel", "Sau faceți clic pe hartă, pe parcela dorită (de la zoom 14).":
 "Or click your parcel on the map (from zoom 14).", "Suprafață": "Area", "Adresă": "Address", "Intravilan": "Inside the built-up area",
"Regim urbanistic (UTR)": "Zoning regime (UTR)", "Restricții atinse": "Constraints hit", "De ce veți avea nevoie": "What you will need",
"Avize necesare": "Required avize", "Cere certificat de urbanism": "Request an urbanism certificate",
"Hartă parcele și restricții": "Map of parcels and constraints",
"Hartă interactivă: săgețile deplasează harta, + și − schimbă zoomul": "Interactive map: arrow keys pan, + and − zoom",
"Ordonate după termen. Roșu: depășit; galben: scadent în cel mult 3 zile.": "Sorted by due date. Red: overdue; yellow: due within 3 days.",
"Cerere": "Request", "Motive": "Reasons", "Stare": "Status", "Termen": "Due", "depășit": "overdue", "scadent curând": "due soon",
"Nicio solicitare.": "No requests.", "Previzualizare CU": "CU preview", "Previzualizare certificat de urbanism": "Urbanism certificate preview",
"Înapoi la cerere": "Back to the request", "Intră": "Log in", "Nu aveți cont?": "No account?",
"Creați un cont de investitor": "Create an investor account", "Număr": "Number", "Nu aveți încă nicio cerere.": "You have no requests yet.",
"termen depășit": "overdue", "Termen legal": "Legal deadline", "Act emis": "Issued act",
"Descarcă documentul semnat (PDF)": "Download the signed document (PDF)", "Pagina de verificare": "Verification page",
"Plata taxei": "Fee payment", "Număr chitanță": "Receipt number", "Înregistrează plata de %(fee)s lei": "Record the payment of %(fee)s lei",
"Acțiuni": "Actions", "Previzualizare CU înainte de emitere": "Preview the CU before issuing", "Motiv / observații": "Reason / remarks",
"Valabilitate (luni)": "Validity (months)", "Istoric": "History", "Analiza spațială": "Spatial analysis",
"Cont nou de investitor": "New investor account",
"Cu acest cont puteți cere certificate de urbanism și urmări cererile. Conturile personalului se creează de administrator.":
 "With this account you can request urbanism certificates and follow your requests. Staff accounts are created by an administrator.",
"Creează contul": "Create the account", "Avize solicitate": "Requested avize", "Nicio solicitare de aviz în curs.": "No aviz requests in progress.",
"Ordonate după termenul legal. Roșu: depășit; galben: scadent în cel mult 3 zile.": "Sorted by legal deadline. Red: overdue; yellow: due within 3 days.",
"Toate": "All", "Filtrează": "Filter", "Harta cererilor": "Map of requests", "Nicio cerere.": "No requests.",
"Contul a fost creat. Bine ați venit!": "Your account has been created. Welcome!",
"POT maxim": "Maximum POT", "CUT maxim": "Maximum CUT", "Regim de înălțime": "Height regime", "pe parcelă": "on the parcel",
"la %s m": "at %s m", "motive": "reasons", "Eroare": "Error", "Conexiune întreruptă": "Connection lost",
"Se semnează și se trimite…": "Signing and sending…", "Se caută…": "Searching…", "%s rezultate": "%s results",
"Nicio parcelă găsită.": "No parcel found.", "Nicio parcelă în acest punct.": "No parcel at this point.", "Parcela %s": "Parcel %s",
"da": "yes", "nu": "no", "Se calculează analiza spațială…": "Computing the spatial analysis…", "Legendă": "Legend",
"Se trimite…": "Sending…", "Alegeți cel puțin o parcelă.": "Choose at least one parcel.",
"Completați câmpurile obligatorii.": "Fill in the required fields.", "elimină": "remove",
"Suprafața parcelelor: %s m²": "Parcel area: %s m²", "Se decupează amprenta la parcelă…": "Clipping the footprint to the parcel…",
"Amprentă de %s m² (decupată la limita parcelei).": "Footprint of %s m² (clipped to the parcel boundary).",
"Amprentă de %s m².": "Footprint of %s m².",
"Desenați pe hartă; clic pe primul punct pentru a închide.": "Draw on the map; click the first point to close.",
"Lipsesc documentele: %s": "Missing documents: %s", "%s încărcat.": "%s uploaded.",
"Solicitant și scop": "Applicant and purpose",
}

def unquote(lines):
    return "".join(re.match(r'^"(.*)"$', l).group(1) for l in lines).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")

def fill(path):
    text = open(path, encoding="utf-8").read()
    blocks = text.split("\n\n")
    out, missing = [], []
    for b in blocks:
        lines = b.split("\n")
        if any(l.startswith("msgid ") for l in lines) and not b.startswith('msgid ""\nmsgstr ""\n"Project'):
            i = next(k for k, l in enumerate(lines) if l.startswith("msgid "))
            j = next(k for k, l in enumerate(lines) if l.startswith("msgstr "))
            msgid = unquote([lines[i][6:]] + lines[i + 1:j])
            if msgid:
                en = EN.get(msgid)
                if en is None:
                    missing.append(msgid)
                else:
                    lines = [l for l in lines[:j] if l != "#, fuzzy"] + ['msgstr "%s"' % en.replace('"', '\\"')]
        b = "\n".join(lines)
        if b.startswith("# SOME DESCRIPTIVE") or b.startswith("# English translations"):
            b = b.replace("#, fuzzy\n", "")
        out.append(b)
    text = "\n\n".join(out).replace("charset=CHARSET", "charset=UTF-8")
    open(path, "w", encoding="utf-8").write(text)
    return missing

for p in sys.argv[1:]:
    print(p, "missing:", fill(p))
