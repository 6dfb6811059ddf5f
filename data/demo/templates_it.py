"""Italian wording of each claim subtype: full statements (CORE) and very short ones (SHORT).

Slots in braces are filled from `data.demo.slots.contact_slots`. Statements are tone-neutral: anger, politeness and
noise are layered on by the renderer, so the same claim exists in calm and angry versions.
"""

CORE: dict[str, tuple[str, ...]] = {
    "unexpected_charge": (
        "Nella fattura n. {invoice} trovo un addebito di {amount} per servizi a pagamento che non ho mai attivato.",
        "Mi è stato addebitato un importo di {amount} che non riconosco, alla voce \"servizi digitali\". "
        "Non ho sottoscritto nessun abbonamento.",
        "Controllando l'estratto conto ho visto un prelievo di {amount} da parte vostra che non corrisponde a "
        "nessuna bolletta.",
        "Sulla bolletta di {month} c'è una voce \"contenuti premium\" da {amount}: non ho mai attivato niente del "
        "genere sulla mia SIM.",
    ),
    "double_billing": (
        "La bolletta di {month} mi è stata addebitata due volte sul conto, {amount} e poi di nuovo {amount}.",
        "Ho pagato la fattura {invoice} con bollettino il {date} e me l'avete addebitata anche in domiciliazione.",
        "Mi ritrovo due addebiti identici di {amount} per lo stesso periodo di fatturazione.",
    ),
    "estimated_reading": (
        "Mi è arrivato un conguaglio di {amount2} sulla {service_bare}, basato su letture stimate: il contatore "
        "segna molto meno.",
        "La bolletta di {month} è di {amount2}, il triplo del solito. Avete usato una lettura stimata, vi mando "
        "l'autolettura.",
        "Consumi fatturati assurdi: {amount2} per due mesi in un bilocale. Chiedo la rettifica con la lettura reale "
        "del contatore.",
    ),
    "wrong_amount": (
        "La fattura {invoice} è di {amount} ma il mio piano {tariff} costa {price} al mese.",
        "Da {month} pago {amount} invece dei {price} concordati quando ho sottoscritto {tariff}.",
        "L'importo della bolletta non corrisponde all'offerta che ho firmato: mi avevate detto {price} tutto "
        "incluso, invece pago {amount}.",
    ),
    "refund_status": (
        "Mi avevate confermato un rimborso di {amount} il {date} ma sul conto non è ancora arrivato nulla.",
        "Vorrei sapere a che punto è il rimborso di {amount} relativo alla fattura {invoice}.",
        "Quando arriva il rimborso di {amount}? Mi avete detto 30 giorni e ne sono passati {days}.",
    ),
    "refund_request": (
        "Chiedo il rimborso di {amount} pagati in più. Per l'accredito vi indico l'IBAN {iban}.",
        "Dopo la chiusura del contratto risulto a credito di {amount}: come faccio ad avere il rimborso? "
        "IBAN {iban}",
        "Ho pagato due volte la stessa bolletta, rivoglio indietro i {amount}. IBAN intestato a me: {iban}.",
    ),
    "deposit_refund": (
        "Ho restituito il modem {device} il {date} ma non mi avete ancora ridato il deposito cauzionale di "
        "{amount}.",
        "Nell'ultima fattura non c'è la restituzione del deposito cauzionale di {amount} che mi spetta dopo la "
        "disdetta.",
        "Ho riconsegnato l'apparato come richiesto (ricevuta del {date}), quando mi restituite la cauzione di "
        "{amount}?",
    ),
    "plan_switch": (
        "Vorrei passare dalla mia offerta {tariff} a {tariff2}. Si può fare senza costi?",
        "Mi interessa l'offerta {tariff2} che ho visto sul sito, posso cambiare piano mantenendo il mio numero?",
        "Devo fare un upgrade del piano: da {tariff} a {tariff2}. Come procedo?",
        "Vorrei cambiare tariffa e passare a {tariff2}, la {tariff} non mi conviene più.",
    ),
    "promo_not_applied": (
        "Quando ho attivato {tariff} mi avete promesso uno sconto di {discount} al mese per 12 mesi, ma in fattura "
        "non c'è.",
        "Lo sconto fedeltà di {discount} che mi aveva confermato il vostro operatore non è stato applicato sulla "
        "bolletta di {month}.",
        "Avevo aderito alla promo {tariff2} ma continuo a pagare il prezzo pieno di {price}.",
    ),
    "price_increase": (
        "Mi è arrivata una comunicazione di modifica unilaterale: l'offerta {tariff} aumenta di {amount} al mese. "
        "Perché?",
        "Avete aumentato il canone di {tariff} di {amount} senza che io abbia cambiato nulla.",
        "Vorrei capire la rimodulazione del mio piano {tariff}: avevo firmato per un prezzo bloccato.",
    ),
    "no_line": (
        "Sono senza connessione internet da {days} giorni, il modem ha la spia rossa fissa.",
        "La fibra non funziona dal {date}: ho già riavviato il {device} più volte ma niente.",
        "Linea fissa e internet completamente assenti a casa, {address}. Lavoro in smart working e sono bloccato.",
        "Internet non va da {days} giorni, la spia LOS del modem lampeggia rossa.",
    ),
    "slow_connection": (
        "La connessione va lentissima: lo speed test dà {speed} Mega invece dei 1000 della {tariff}.",
        "Da una settimana internet è lento e cade continuamente, soprattutto la sera. Il wifi del {device} si "
        "disconnette.",
        "Pago la fibra ma navigo a {speed} Mbps, le videochiamate si bloccano sempre.",
    ),
    "outage_area": (
        "C'è un guasto in zona? A {city} manca internet in tutto il palazzo da stamattina.",
        "Tutto il quartiere è senza {service_bare} da ieri sera, sapete quando torna?",
        "Segnalo un disservizio in {street}, {city}: nessuno dei vicini ha la linea.",
    ),
    "mobile_no_signal": (
        "Il cellulare non prende più, nessun segnale in casa e spesso compare \"solo chiamate di emergenza\".",
        "Da qualche giorno la SIM non naviga: niente 4G né 5G, anche dopo aver riavviato il {device}.",
        "Le chiamate cadono continuamente e gli SMS non arrivano, il numero è {phone_text}.",
    ),
    "meter_fault": (
        "Il contatore della luce salta in continuazione anche con pochi elettrodomestici accesi.",
        "Il {device} risulta guasto, il display è spento da {days} giorni.",
        "Il contatore elettronico non comunica le letture da mesi, POD {pod}.",
    ),
    "activation_status": (
        "Ho sottoscritto {tariff} il {date}: a che punto è l'attivazione?",
        "Vorrei sapere lo stato della mia richiesta di attivazione {service_bare}, numero ordine {order}.",
        "Volevo sapere quando sarà attiva la fornitura di {service_bare} nella nuova casa in {street}.",
    ),
    "sim_activation": (
        "La nuova SIM non si attiva: il telefono dice \"SIM non valida\". Ho fatto la portabilità del numero "
        "{phone_text}.",
        "Ho chiesto la portabilità da un altro operatore il {date} e il numero non è ancora passato.",
        "Ho installato la eSIM sul {device} ma non compare nessuna rete.",
    ),
    "activation_delay": (
        "Ho firmato il contratto per {tariff} il {date} e dopo {days} giorni ancora niente, nessuno mi dice nulla.",
        "L'attivazione della {service_bare} doveva avvenire entro 10 giorni, ne sono passati {days}.",
        "Mi avevate garantito l'attivazione in una settimana: è passato quasi un mese e sono ancora senza servizio.",
    ),
    "cancel_request": (
        "Voglio disdire il contratto {tariff} intestato a me, codice cliente {customer_code}.",
        "Vi comunico la mia volontà di recedere dal contratto per la {service_bare} a partire dal prossimo mese.",
        "Come faccio a dare disdetta? Vorrei chiudere il contratto {tariff} entro {month}.",
    ),
    "cancellation_fee": (
        "Dopo la disdetta mi avete addebitato {amount} di costi di disattivazione che nessuno mi aveva comunicato.",
        "Ho chiuso il contratto il {date} ma continuo a ricevere bollette: l'ultima è di {amount}.",
        "Penale di recesso di {amount}? Il contratto non aveva vincoli, lo dice anche l'offerta {tariff}.",
    ),
    "switch_provider": (
        "Sto passando ad altro operatore, mi serve il codice di migrazione della linea fissa.",
        "Ho trovato un'offerta migliore altrove: che cosa devo fare per il passaggio senza restare senza servizio?",
        "Mi servirebbe il codice di trasferimento per cambiare fornitore della {service_bare}.",
    ),
    "tracking": (
        "Non mi è ancora arrivato il modem, ordine {order}. Potete darmi il tracking?",
        "La spedizione della SIM risulta ferma da {days} giorni, ordine {order}.",
        "Dove si trova il mio pacco? Il corriere dice consegnato ma io non ho ricevuto nulla. Ordine {order}.",
    ),
    "appointment": (
        "Vorrei spostare l'appuntamento con il tecnico fissato per il {date2}, quel giorno non sono a casa.",
        "Posso anticipare l'installazione? Al momento è prevista per il {date2}.",
        "Mi confermate la fascia oraria dell'appuntamento per l'installazione del {date2}?",
    ),
    "missed_appointment": (
        "Il tecnico doveva venire il {date} tra le 8 e le 13: ho preso un giorno di ferie e non si è presentato "
        "nessuno.",
        "Secondo appuntamento saltato per l'installazione della {service_bare}, nessuno mi ha avvisato.",
        "Ho aspettato il tecnico tutta la mattina del {date}: nessuna chiamata, nessuno.",
    ),
    "faulty_install": (
        "Il tecnico ha installato la fibra lasciando i cavi a vista e un buco nel muro, e la linea non va.",
        "Il modem {device} che mi avete spedito è arrivato rotto, non si accende.",
        "L'installazione è stata fatta male: la borchia ottica è nel posto sbagliato e il wifi non arriva in camera.",
    ),
    "password_reset": (
        "Non riesco ad accedere all'area clienti, ho dimenticato la password e la mail di recupero non arriva.",
        "L'app {brand_short} mi dice \"credenziali non valide\" anche se la password è giusta.",
        "Come faccio a resettare la password dell'app?",
    ),
    "account_locked": (
        "Il mio account è bloccato dopo troppi tentativi di login, come lo sblocco?",
        "Non ricevo l'SMS con il codice OTP per entrare nell'app, quindi non posso accedere.",
        "Area clienti bloccata: \"account sospeso per motivi di sicurezza\". Non ho fatto niente!",
    ),
    "email_change": (
        "Devo cambiare l'email associata al mio account, quella vecchia non la uso più. La nuova è {email_text}.",
        "Qualcuno ha cambiato la mail del mio profilo e ora non riesco più a entrare.",
        "Vorrei aggiornare i contatti del mio account: email {email_text} e cellulare {phone_text}.",
    ),
    "invoice_copy": (
        "Mi potete inviare una copia della bolletta di {month}? Mi serve per la dichiarazione dei redditi.",
        "Avrei bisogno del duplicato della fattura {invoice}.",
        "Non trovo la fattura di {month} nell'app, me la mandate via mail?",
    ),
    "tariff_info": (
        "Vorrei informazioni sull'offerta {tariff2}: quanto costa e c'è un vincolo di durata?",
        "L'offerta {tariff2} include anche il modem? Ci sono costi di attivazione?",
        "Che differenza c'è tra {tariff} e {tariff2}?",
    ),
    "coverage_check": (
        "Vorrei sapere se la fibra FTTH arriva in {other_street}, {other_city}.",
        "Mi trasferisco a {other_city}: c'è la vostra copertura fibra in {other_street}?",
        "La fibra 2.5 Giga è disponibile a {other_city}? L'indirizzo è {other_street}.",
    ),
    "payment_methods": (
        "Vorrei attivare la domiciliazione bancaria delle bollette sull'IBAN {iban}. Come si fa?",
        "Posso pagare la bolletta con carta di credito invece che con il bollettino?",
        "Come cambio il metodo di pagamento dall'app?",
    ),
    "contract_terms": (
        "Vorrei capire le condizioni del mio contratto {tariff}: ci sono penali se recedo prima dei 24 mesi?",
        "Il modem è in comodato d'uso o lo sto pagando a rate? Dal contratto non si capisce.",
        "Quanto manca alla fine del vincolo della mia offerta {tariff}?",
    ),
    "rude_agent": (
        "Ho chiamato il numero verde il {date} e l'operatore è stato maleducato e mi ha chiuso il telefono in faccia.",
        "Voglio segnalare il comportamento dell'operatrice con cui ho parlato: arrogante e sbrigativa.",
        "Mi hanno trattato con sufficienza al negozio {brand_short} di {city}.",
    ),
    "long_wait": (
        "Ho aspettato {minutes} minuti in linea al call center e poi è caduta la linea.",
        "È impossibile parlare con un operatore: attese infinite e il bot non capisce.",
        "Vi ho scritto tre mail e nessuno risponde, i tempi di attesa sono inaccettabili.",
    ),
    "unsolicited_calls": (
        "Continuate a chiamarmi per offerte commerciali anche se ho negato il consenso. Non voglio più essere "
        "contattato.",
        "Ricevo ogni giorno chiamate dai vostri call center per propormi offerte, anche al {phone_text}.",
        "Mi avete chiamato per propormi un'offerta, l'ho accettata e poi mi avete detto che non potevo averla. "
        "Che senso ha?",
    ),
    "unresolved_repeated": (
        "Sono mesi che segnalo lo stesso problema e ogni volta devo rispiegare tutto da capo.",
        "Ogni operatore mi dice una cosa diversa e il problema non viene mai risolto.",
        "Nessuno legge lo storico: ho già spiegato tutto più volte a operatori diversi.",
    ),
}

SHORT: dict[str, tuple[str, ...]] = {
    "unexpected_charge": ("addebito di {amount} non autorizzato??", "chi mi ha attivato i servizi a pagamento?"),
    "double_billing": ("bolletta addebitata 2 volte", "doppio addebito {amount}"),
    "estimated_reading": ("conguaglio di {amount2}?? ma siete matti", "bolletta {service_bare} assurda"),
    "wrong_amount": ("fattura sbagliata", "pago {amount} invece di {price}"),
    "refund_status": ("il rimborso???", "ancora niente rimborso", "quando arrivano i {amount}?"),
    "refund_request": ("voglio il rimborso", "rimborso {amount} su IBAN {iban}"),
    "deposit_refund": ("e la cauzione?", "deposito del modem mai restituito"),
    "plan_switch": ("passare a {tariff2} pls", "cambio piano a {tariff2}"),
    "promo_not_applied": ("lo sconto non c'è", "promo non applicata"),
    "price_increase": ("perché aumenta il canone?", "aumento di {amount}??"),
    "no_line": ("ancora senza linea!!", "internet non va", "no linea da {days} gg", "fibra giù di nuovo"),
    "slow_connection": ("internet lentissimo", "{speed} mega... fibra?!"),
    "outage_area": ("guasto in zona?", "tutto il palazzo senza {service_bare}"),
    "mobile_no_signal": ("il telefono non prende", "niente rete sulla SIM"),
    "meter_fault": ("contatore guasto", "il contatore salta di continuo"),
    "activation_status": ("quando si attiva?", "stato attivazione ordine {order}?"),
    "sim_activation": ("sim non attiva", "portabilità ferma"),
    "activation_delay": ("ancora non attivo dopo {days} giorni", "attivazione??"),
    "cancel_request": ("voglio disdire", "DISDETTA"),
    "cancellation_fee": ("penale di {amount}?!", "bollette dopo la disdetta"),
    "switch_provider": ("codice migrazione?", "mi serve il codice di migrazione"),
    "tracking": ("il modem non è arrivato", "tracking ordine {order}?"),
    "appointment": ("spostare appuntamento tecnico", "posso cambiare data installazione?"),
    "missed_appointment": ("il tecnico non è venuto", "tecnico mai arrivato"),
    "faulty_install": ("modem arrivato rotto", "installazione fatta malissimo"),
    "password_reset": ("password dimenticata", "non riesco a entrare nell'app"),
    "account_locked": ("account bloccato", "non arriva l'OTP"),
    "email_change": ("cambio email account", "devo cambiare la mail"),
    "invoice_copy": ("copia bolletta {month}", "duplicato fattura {invoice}"),
    "tariff_info": ("info offerta {tariff2}", "quanto costa {tariff2}?"),
    "coverage_check": ("c'è la fibra a {other_city}?", "copertura {other_street}?"),
    "payment_methods": ("come pago con carta?", "domiciliazione bancaria come si fa"),
    "contract_terms": ("quando finisce il vincolo?", "ci sono penali?"),
    "rude_agent": ("operatore maleducato", "mi avete chiuso il telefono in faccia"),
    "long_wait": ("{minutes} minuti di attesa!!", "nessuno risponde mai"),
    "unsolicited_calls": ("smettetela di chiamarmi", "basta telefonate commerciali"),
    "unresolved_repeated": ("sempre lo stesso problema", "nessuno risolve niente"),
}
