"""Italian phrases around the claim statement: tone, references to earlier contacts, email parts, agents and bots.

Same names as `phrases_en`; the renderer picks the module by language. Slots as in `templates_it`, plus {brand},
{brand_short}, {handle}, {bot}, {agent}, {when} (an earlier contact's date), {nth} (an ordinal) and {resolved}.
"""

TOPIC = {"billing_dispute": "la bolletta", "refund": "il rimborso", "tariff_change": "il cambio offerta",
         "technical_fault": "il guasto alla linea", "activation": "l'attivazione", "cancellation": "la disdetta",
         "delivery_installation": "l'installazione", "account_access": "l'accesso all'area clienti",
         "information_request": "una richiesta di informazioni", "service_complaint": "il servizio clienti"}
SUBJECT = {
    "billing_dispute": ("Contestazione fattura n. {invoice}", "Addebito non corretto", "Bolletta {month} errata"),
    "refund": ("Richiesta rimborso", "Sollecito rimborso {amount}", "Rimborso non ricevuto"),
    "tariff_change": ("Cambio offerta", "Richiesta passaggio a {tariff2}", "Sconto non applicato"),
    "technical_fault": ("Segnalazione guasto", "URGENTE - linea assente", "Problema connessione"),
    "activation": ("Stato attivazione", "Attivazione {service_bare}", "Ritardo attivazione"),
    "cancellation": ("Disdetta contratto", "Recesso", "Costi di disattivazione"),
    "delivery_installation": ("Ordine {order}", "Appuntamento tecnico", "Installazione"),
    "account_access": ("Accesso area clienti", "Account bloccato", "Problema login app"),
    "information_request": ("Richiesta informazioni", "Copia fattura", "Info offerta {tariff2}"),
    "service_complaint": ("Reclamo", "Reclamo formale", "Segnalazione disservizio"),
}
FORM_CATEGORY = {"billing_dispute": "Fatturazione e pagamenti", "refund": "Rimborsi",
                 "tariff_change": "Modifica offerta",
                 "technical_fault": "Assistenza tecnica", "activation": "Attivazioni",
                 "cancellation": "Disdetta e recesso", "delivery_installation": "Spedizioni e installazioni",
                 "account_access": "Accesso area clienti", "information_request": "Informazioni commerciali",
                 "service_complaint": "Reclami"}
FORM_OTHER = "Altro"
SECONDARY = {
    "billing_dispute": ("Già che ci sono: anche l'ultima bolletta mi sembra più alta del solito.",
                        "Tra l'altro in fattura c'è un addebito che non capisco."),
    "refund": ("E naturalmente mi aspetto un rimborso per i giorni di disservizio.",
               "Inoltre aspetto ancora il rimborso dell'altra volta."),
    "tariff_change": ("Ne approfitto per chiedere se posso passare a un'offerta più economica.",
                      "Vorrei anche cambiare piano, quello attuale non mi conviene."),
    "technical_fault": ("Oltretutto internet continua a cadere.", "E come se non bastasse la linea va e viene."),
    "activation": ("E la seconda SIM che ho chiesto non è ancora attiva.",
                   "Anche l'attivazione del gas è ancora ferma."),
    "cancellation": ("Se non risolvete, disdico tutto.", "Sto valutando seriamente di cambiare operatore."),
    "delivery_installation": ("Ah, e il modem nuovo non è ancora arrivato.",
                              "Il tecnico poi doveva passare e non si è visto."),
    "account_access": ("Tra l'altro non riesco nemmeno a entrare nell'app per controllare.",
                       "L'app poi non mi fa accedere."),
    "information_request": ("Un'ultima cosa: mi mandate anche la copia dell'ultima bolletta?",
                            "Vorrei anche sapere se c'è un'offerta luce e gas insieme."),
    "service_complaint": ("E il vostro servizio clienti non risponde mai.",
                          "L'operatore dell'ultima volta è stato anche scortese."),
}
RESOLVED = {
    "billing_dispute": ("la nota di credito è arrivata e la bolletta è stata corretta", "l'addebito è stato stornato"),
    "refund": ("il rimborso di {amount} è arrivato sul conto", "ho ricevuto il rimborso"),
    "tariff_change": ("il cambio offerta è andato a buon fine", "adesso lo sconto c'è"),
    "technical_fault": ("la linea è tornata a funzionare", "internet adesso va benissimo"),
    "activation": ("il servizio ora è attivo", "l'attivazione è andata a buon fine"),
    "cancellation": ("ho ricevuto la conferma della disdetta", "la pratica di recesso è chiusa"),
    "delivery_installation": ("il tecnico è passato e ora funziona tutto", "il modem è arrivato"),
    "account_access": ("sono riuscito a entrare nell'app", "l'account è sbloccato"),
    "information_request": ("ho ricevuto le informazioni che mi servivano", "mi è arrivato tutto via mail"),
    "service_complaint": ("ho ricevuto le vostre scuse e una spiegazione", "il responsabile mi ha richiamato"),
}

GREET_FORMAL = ("Buongiorno,", "Gentile Servizio Clienti,", "Spett.le {brand},", "Salve,", "Buonasera,",
                "Gentili signori,")
GREET_CASUAL = ("Ciao", "Salve", "Buongiorno", "Buonasera", "Ciao ragazzi", "Hey")
INTRO = ("sono {first} {last}, cliente {brand_short} con codice {customer_code}.",
         "mi chiamo {first} {last} e sono vostro cliente da {years} anni.",
         "vi scrivo in qualità di intestatario del contratto {customer_code}.",
         "sono {first} {last}, cliente da {years} anni.")
CONTEXT = ("Sono una persona anziana e non sono pratica di app e siti, per questo vi scrivo.",
           "Premetto che sono sempre stato puntuale nei pagamenti e non ho mai avuto problemi prima.",
           "Ho cercato sul vostro sito e nelle FAQ ma non ho trovato una risposta chiara.",
           "Ho due contratti con voi, luce e fibra, e fino a oggi ero soddisfatto.")
CONTEXT_FOR = {
    "technical_fault": ("Lavoro da casa e senza connessione non posso lavorare, quindi per me è un problema serio.",
                        "In casa siamo in quattro, i ragazzi studiano online e io devo essere raggiungibile."),
    "activation": ("Mi sono appena trasferito e senza il servizio attivo sono in difficoltà.",),
    "delivery_installation": ("Per aspettare il tecnico ho dovuto prendere un giorno di ferie.",),
    "billing_dispute": ("Non è una cifra da poco e con le spese di questo mese mi mette in difficoltà.",),
}
DETAILS = ("I miei dati: {address}, codice cliente {customer_code}, cellulare {phone_text}.",
           "Potete contattarmi al {phone_text} in qualsiasi momento.",
           "Il contratto è intestato a me, {first} {last}, fornitura in {address}.",
           "Per qualsiasi verifica il mio codice cliente è {customer_code}.")
DETAILS_FOR = {
    "technical_fault": ("Ho già provato a riavviare il modem, a staccare la corrente per dieci minuti e a "
                        "controllare i "
                        "cavi.",),
    "billing_dispute": ("Vi allego la bolletta e la ricevuta del pagamento.",),
    "refund": ("Vi allego la ricevuta del pagamento.",),
}
REQUEST = ("Potreste verificare e farmi sapere?", "Resto in attesa di un vostro riscontro.",
           "Vi chiedo cortesemente di sistemare la cosa.", "Attendo una risposta.", "Mi fate sapere?",
           "Grazie in anticipo per l'aiuto.")
ANGRY_OPEN = ("È una vergogna!", "Sono davvero furioso.", "Basta, non ne posso più!", "Siete incredibili.",
              "Ma come è possibile??", "SIETE DEI LADRI.")
ANGRY_CLOSE = ("Se entro 48 ore non risolvete faccio reclamo all'AGCOM e cambio operatore.",
               "Vi diffido formalmente, mi rivolgerò a un'associazione dei consumatori.",
               "Sto perdendo la pazienza, SIETE IMPRESENTABILI.", "Pretendo una risposta OGGI.",
               "Cambierò fornitore e lo dirò a tutti quelli che conosco.", "Vergognatevi.")
FRUSTRATED = ("Sono stanco di aspettare.", "Non è la prima volta che succede.", "Inizio a perdere la pazienza.",
              "Possibile che sia così complicato?", "Francamente sono deluso.", "Non mi sembra normale.")
POLITE_CLOSE = ("Grazie mille per la disponibilità.", "Vi ringrazio, buona giornata.", "Grazie, gentilissimi.",
                "Grazie ancora per l'attenzione.")
THANKS = ("Volevo ringraziarvi: {resolved}.", "Tutto risolto, {resolved}. Grazie mille!",
          "Solo per confermare che {resolved}. Gentilissimi, grazie!",
          "Ottimo, {resolved}. Grazie a {agent} per l'aiuto!")
PRAISE = ("Mi trovo benissimo con {brand_short}, complimenti.", "Siete sempre stati gentilissimi con me.",
          "Devo dire che il servizio è sempre stato ottimo.")
#: why a standard request still needs a person: what the bot cannot do here
COMPLICATION = ("Ho già provato dall'app ma mi dà errore.", "Sul sito non trovo l'opzione giusta.",
                "Il mio caso è un po' particolare, il contratto è intestato a mio padre.",
                "Il vostro assistente virtuale non ha saputo aiutarmi.",
                "Ci sono due contratti a mio nome e non capisco quale sia.",
                "Ho bisogno di parlarne con qualcuno, la risposta automatica non basta.")
IN_SHORT = "In pratica:"
ADD_INFO = ("Come mi avete chiesto vi mando i dati: codice cliente {customer_code}, numero {phone_text}.",
            "Vi giro la foto della bolletta che mi avevate chiesto.",
            "Come richiesto, l'indirizzo della fornitura è {address}.")

REF = {
    "email": ("vi ho scritto una mail {when}", "come vi ho già scritto via email {when}",
              "vi avevo mandato una mail {when} e nessuno ha risposto"),
    "phone": ("ho chiamato il servizio clienti {when}", "ho già parlato con un vostro operatore {when}",
              "al telefono {when} mi avevano detto che si sarebbe risolto"),
    "chat": ("ne ho parlato in chat {when}", "in chat {when} mi avete detto di aspettare"),
    "whatsapp": ("vi ho scritto su WhatsApp {when}", "su WhatsApp {when} mi avete risposto che ci stavate lavorando"),
    "sms": ("vi ho mandato un SMS {when}",),
    "messaging": ("vi ho scritto dall'app {when}", "nella chat dell'app {when} mi avete detto di pazientare"),
    "social": ("vi ho scritto anche su Facebook {when}", "ho già segnalato la cosa sui social {when}"),
    "review": ("ho anche lasciato una recensione {when}",),
    "web_form": ("ho compilato il modulo sul vostro sito {when}", "ho aperto una richiesta dal sito {when}"),
}
REF_TICKET = ("La pratica è la n. {ticket}.", "Numero pratica {ticket}.",
              "Mi avevate dato il numero di pratica {ticket}.")
REF_COUNT = ("È la {nth} volta che vi contatto.", "Vi contatto per la {nth} volta.")
STATUS = ("e non è cambiato niente.", "ma il problema non è ancora risolto.", "ma nessuno mi ha più richiamato.",
          "e sto ancora aspettando.", "e mi avevate promesso una soluzione entro 48 ore.")

SIGN_OFF = ("Cordiali saluti", "Distinti saluti", "Saluti", "Grazie", "Un saluto", "Grazie e buona giornata")
MOBILE_SIG = ("Inviato da iPhone", "Inviato dal mio smartphone Samsung Galaxy", "Inviato da Outlook per Android")
DISCLAIMER = ("Questo messaggio e i suoi allegati sono indirizzati esclusivamente alle persone indicate. "
              "La diffusione, "
              "copia o qualsiasi altra azione derivante dalla conoscenza di queste informazioni sono rigorosamente "
              "vietate. Qualora abbiate ricevuto questo documento per errore siete cortesemente pregati di darne "
              "immediata comunicazione al mittente e di provvedere alla sua distruzione.",
              "Ai sensi del Regolamento UE 2016/679 (GDPR) le informazioni contenute in questa email sono riservate. "
              "Prima di stampare pensa all'ambiente.")
QUOTE_HEADER = ("Il giorno {when} Servizio Clienti {brand} <assistenza@{domain}> ha scritto:",
                "-----Messaggio originale-----\nDa: Servizio Clienti {brand} <assistenza@{domain}>\nData: {when}")
AGENT_EMAIL = ("Gentile cliente, abbiamo preso in carico la sua segnalazione (pratica n. {ticket}). La ricontatteremo "
               "al più presto.\nCordiali saluti,\nServizio Clienti {brand}",
               "Gentile {first} {last}, la ringraziamo per averci contattato. La sua richiesta è stata inoltrata "
               "all'ufficio competente con il numero {ticket}.\nIl team {brand_short}")
REPLY_PREFIX = "R: "

IVR_WELCOME = ("Benvenuto in {brand}. La chiamata potrebbe essere registrata. Descriva brevemente il motivo della "
               "chiamata.",
               "Benvenuto nel servizio clienti {brand_short}. Dica in poche parole come possiamo aiutarla.")
IVR_HANDOFF = ("Ho capito. La metto in contatto con un operatore, resti in linea.",
               "Grazie. Tutti i nostri operatori sono occupati, la preghiamo di attendere.")
AGENT_GREET = ("{brand}, buongiorno, sono {agent}. Come posso aiutarla?", "Buongiorno, sono {agent}, mi dica pure.",
               "Servizio clienti, sono {agent}, buonasera. In cosa posso esserle utile?")
AGENT_ID = ("Per verificare l'identità mi dice il codice cliente o il codice fiscale dell'intestatario?",
            "Mi conferma nome, cognome e numero di telefono della linea?")
CUSTOMER_ID = ("sì allora il codice cliente è {customer_code}", "sono {first} {last}, il numero è {phone_text}",
               "{first} {last}, codice {customer_code}")
ASK_REPLY = (("Da quando ha il problema?", "più o meno dal {date}"),
             ("Mi conferma l'indirizzo della fornitura?", "sì, {address}"),
             ("Ha ricevuto qualche comunicazione da parte nostra?", "no, niente di niente"),
             ("Mi lascia un numero per ricontattarla?", "sì, {phone_text}"))
ASK_REPLY_FAULT = (("Ha già provato a riavviare il modem?", "sì sì l'ho già riavviato tre volte"),
                   ("Le spie del modem come sono?", "guardi, una è rossa e le altre spente"))
AGENT_ACTION = {
    "billing_dispute": "ho emesso una nota di credito di {amount} che troverà nella prossima bolletta",
    "refund": "il rimborso di {amount} è stato disposto, arriverà entro 10 giorni lavorativi",
    "tariff_change": "ho registrato il passaggio a {tariff2}, sarà attivo dal prossimo ciclo di fatturazione",
    "technical_fault": "ho fatto un reset della linea da remoto, ora dovrebbe funzionare",
    "activation": "ho sollecitato l'attivazione, sarà completata entro domani",
    "cancellation": "ho registrato la disdetta, riceverà conferma via email",
    "delivery_installation": "ho fissato un nuovo appuntamento per il {date2}",
    "account_access": "le ho inviato un link per reimpostare la password",
    "information_request": "le ho mandato tutte le informazioni via email",
    "service_complaint": "mi scuso a nome dell'azienda, ho registrato il reclamo e verrà ricontattato da un "
                         "responsabile",
}
AGENT_TICKET = ("Le ho aperto la pratica numero {ticket}, verrà ricontattato entro 48 ore.",
                "Ho inoltrato la richiesta all'ufficio competente, pratica {ticket}.")
AGENT_TRANSFER = ("La passo al collega dell'ufficio tecnico, resti in linea.",
                  "Per questo devo trasferirla all'amministrazione, un attimo.")
AGENT_CLOSE = ("C'è altro che posso fare per lei?", "Grazie per aver contattato {brand_short}, buona giornata.")
AGENT_FAIL = ("Purtroppo il sistema non mi permette di procedere, la faremo richiamare.",
              "Mi spiace, al momento non vedo la sua pratica. Riprovi più tardi.")
END_CALM = ("No, va bene così, grazie.", "Perfetto, grazie mille.", "Ok, grazie, arrivederci.")
END_ANGRY = ("Sempre la solita storia. Arrivederci.", "Speriamo sia la volta buona.", "Vedremo. Arrivederci.")
SYSTEM_DROP = "La chiamata è stata interrotta."
SYSTEM_TRANSFER = "Trasferimento della chiamata in corso."
SYSTEM_JOIN = "{agent} si è unito alla conversazione."
SYSTEM_LEFT = "Il cliente ha abbandonato la conversazione."

BOT_GREET = ("Ciao! Sono {bot}, l'assistente virtuale di {brand}. Come posso aiutarti?",
             "Ciao 👋 sono {bot}. Scrivimi la tua domanda.")
BOT_ID = ("Per procedere mi scrivi il tuo codice cliente? Lo trovi in alto a destra in bolletta.",
          "Prima di tutto verifichiamo il tuo profilo: qual è il tuo codice cliente?")
IVR_ID = ("Per favore, pronunci o digiti il suo codice cliente.",)
BOT_AUTOREPLY = ("Grazie per averci scritto! Un operatore ti risponderà al più presto.",)
BOT_HANDOFF = ("Ti metto in contatto con un operatore, attendi qualche istante.",
               "Non sono sicuro di aver capito. Ti passo a un collega.")
BOT_CLOSE = ("Posso aiutarti in altro?", "Sono contento di esserti stato utile! 😊")
BOT_FAIL = ("Scusa, non ho capito. Puoi riformulare?",)
ASK_HUMAN = ("voglio parlare con un operatore", "operatore", "un umano per favore", "mi passi una persona vera?")
CUSTOMER_OK = ("perfetto grazie", "ok grazie mille", "👍", "ok", "grazie!")
BOT_ANSWER = {
    "invoice_copy": "Ecco la copia della bolletta di {month}: l'ho inviata anche alla tua email.",
    "tariff_info": "L'offerta {tariff2} costa {price2} al mese, senza vincoli. Trovi i dettagli su {domain}/offerte.",
    "coverage_check": "Ho verificato: in {other_street} è disponibile la fibra FTTH fino a 2.5 Giga.",
    "payment_methods": "Puoi attivare la domiciliazione dall'app in Profilo > Pagamenti, inserendo il tuo IBAN.",
    "contract_terms": "La tua offerta {tariff} non prevede penali; il modem è in comodato d'uso gratuito.",
    "activation_status": "La tua richiesta è in lavorazione: l'attivazione è prevista entro il {date2}.",
    "sim_activation": "Ho riattivato il profilo della SIM: riavvia il telefono tra 10 minuti.",
    "tracking": "Il tuo ordine {order} è in consegna e arriverà entro il {date2}. Tracking corriere: {tracking}.",
    "appointment": "Ho spostato l'appuntamento al {date2}, fascia 14-18. Riceverai un SMS di conferma.",
    "password_reset": "Ti ho inviato un link per reimpostare la password all'email registrata.",
    "account_locked": "Ho sbloccato il tuo account e ti ho inviato un nuovo codice OTP.",
    "refund_status": "Il rimborso di {amount} è stato disposto il {date2} e arriverà entro 5 giorni lavorativi.",
    "plan_switch": "Ho registrato la richiesta di passaggio a {tariff2}: sarà attiva dal prossimo ciclo.",
    "switch_provider": "Il tuo codice di migrazione è {migration}. Comunicalo al nuovo operatore.",
    "outage_area": "Sì, c'è un guasto nella tua zona: i tecnici sono al lavoro, ripristino previsto per le {hour}.",
    "price_increase": "La modifica è comunicata con 30 giorni di preavviso: puoi recedere senza penali entro quella "
                      "data.",
    "cancel_request": "Puoi disdire dall'area clienti in Contratti > Recesso. Ti ho inviato il modulo via email.",
    "deposit_refund": "Il deposito di {amount} ti verrà restituito nella prossima fattura.",
}

HASHTAGS = ("#disservizio", "#servizioclienti", "#vergogna", "#assistenzaclienti", "#fibra", "#bollette")
SOCIAL_TAIL = ("Qualcuno mi risponde?", "Complimenti davvero.", "Ma vi sembra normale?", "Aiuto!!", "")
DM_ASK = ("Ciao {first}, ci dispiace per il disagio. Ci scrivi il tuo codice cliente o il numero di telefono?",
          "Ciao, siamo qui per aiutarti. Ci lasci un recapito per verificare la tua posizione?")
DM_GIVE = ("il mio numero è {phone_text}", "codice cliente {customer_code}", "la mail è {email_text}")
REVIEW_TITLE_NEG = ("Pessimo servizio", "Da evitare", "Assistenza inesistente", "Mai più")
REVIEW_TITLE_MID = ("Così così", "Nella media", "Servizio ok, assistenza lenta")
REVIEW_TITLE_POS = ("Ottima assistenza", "Problema risolto velocemente", "Consigliato")
REVIEW_OPEN = ("Sono cliente {brand_short} da {years} anni.", "Ho avuto un problema con {topic}.", "")
REVIEW_NEG = ("Sconsiglio vivamente.", "Una stella perché zero non si può.", "Scappate finché siete in tempo.")
REVIEW_MID = ("Alla fine hanno risolto, ma ci è voluto troppo tempo.", "Servizio nella media, tempi lunghi.")
REVIEW_POS = ("Operatori gentili e competenti, consiglio {brand_short}!", "Problema risolto in un giorno, bravi!",
              "Assistenza veloce e cortese.")
FORM_LABELS = {"first": "Nome", "last": "Cognome", "email": "Email", "phone": "Telefono",
               "code": "Codice cliente", "category": "Tipo di richiesta", "invoice": "Numero fattura",
               "message": "Messaggio", "privacy": "Consenso privacy: Sì", "pod": "Codice POD"}
