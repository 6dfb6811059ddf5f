"""Italian parts the free-form writer composes messages from (see `freeform`): every list is independent, so a
message is one of very many combinations rather than one of a few templates. Slots as in `templates_it`."""

#: what went wrong, per claim type: short facts, several are combined in one message
FACTS = {
    "billing_dispute": (
        "in bolletta c'è un importo di {amount} che non mi torna", "mi avete fatturato {amount} per un servizio mai chiesto",
        "la fattura {invoice} è sbagliata", "l'ultima bolletta è arrivata altissima, {amount2}",
        "mi ritrovo addebitati costi che nessuno mi ha spiegato", "pago sempre {price} e adesso sono {amount}",
        "vedo due addebiti uguali sul conto corrente", "c'è un conguaglio che non capisco proprio",
        "i consumi fatturati non corrispondono alla lettura del contatore", "mi avete fatto pagare due volte lo stesso mese",
        "nella fattura di {month} ci sono voci che non conosco", "l'importo addebitato in banca è diverso da quello in bolletta",
        "contesto la bolletta di {month}", "avete calcolato i consumi a stima e sono il doppio del reale",
    ),
    "refund": (
        "aspetto ancora il rimborso di {amount}", "il rimborso promesso non è mai arrivato",
        "mi dovete restituire {amount}", "sono passati {days} giorni e dei soldi nessuna traccia",
        "vorrei indietro quanto pagato in più", "ho chiesto lo storno dell'addebito ma non vedo niente sul conto",
        "mi spetta la restituzione del deposito cauzionale", "risulto a credito di {amount} dopo la chiusura",
        "l'accredito sull'IBAN {iban} non è mai stato fatto", "mi avevate detto nota di credito entro 30 giorni",
        "rivoglio i miei {amount}", "come faccio a ottenere il rimborso?",
    ),
    "tariff_change": (
        "vorrei passare a {tariff2}", "il mio piano {tariff} non mi conviene più", "voglio cambiare offerta",
        "lo sconto promesso non è stato applicato", "mi avete aumentato il canone senza preavviso",
        "vorrei un piano con più giga", "posso fare il cambio tariffa mantenendo il numero?",
        "l'offerta che ho attivato non è quella che pago", "mi è arrivata la comunicazione di rimodulazione",
        "vorrei scendere a un'offerta più economica", "chiedo di applicare la promo che mi avevate proposto al telefono",
        "il prezzo bloccato per 24 mesi è salito dopo 6",
    ),
    "technical_fault": (
        "internet non funziona da {days} giorni", "la linea va e viene tutto il giorno", "il modem ha la luce rossa",
        "la connessione è lentissima, {speed} mega", "non riesco a lavorare da casa perché la fibra è giù",
        "il {device} si disconnette in continuazione", "da {date} sono senza linea", "il wifi cade ogni dieci minuti",
        "ho già spento e riacceso tutto ma niente", "le videochiamate si bloccano", "il telefono di casa è muto",
        "tutto il palazzo è senza connessione",
    ),
    "technical_fault_other": (
        "il telefono non prende", "la SIM non naviga", "le chiamate cadono", "il contatore salta in continuazione",
        "niente rete da {days} giorni", "il {device} non funziona più", "non arrivano gli SMS",
        "il contatore ha il display spento", "dentro casa zero tacche", "la corrente salta appena accendo il forno",
        "internet sul cellulare non va da {date}", "il servizio {service_bare} è fuori uso",
    ),
    "activation": (
        "ho firmato il contratto il {date} e ancora non è attivo niente", "la SIM nuova non si attiva",
        "la portabilità del numero è ferma", "aspetto l'attivazione della {service_bare} da {days} giorni",
        "quando parte la fornitura nella casa nuova?", "mi avevate detto una settimana e siamo a un mese",
        "la pratica di attivazione risulta ancora in lavorazione", "il numero non è ancora passato a voi",
        "la eSIM non compare sul {device}", "a che punto è l'attivazione dell'ordine {order}?",
        "senza attivazione non posso entrare in casa nuova con la luce", "l'attivazione doveva essere fatta entro il {date2}",
    ),
    "cancellation": (
        "voglio disdire il contratto", "chiedo il recesso dal contratto {tariff}", "voglio chiudere tutto e andare via",
        "mi serve il codice di migrazione", "dopo la disdetta continuano ad arrivarmi bollette",
        "mi avete addebitato {amount} di penale per il recesso", "passo a un altro operatore",
        "come si fa a dare disdetta?", "non voglio più essere vostro cliente", "chiudo la fornitura della casa al mare",
        "ho mandato la disdetta con raccomandata e nessuno l'ha registrata", "vorrei cessare la linea entro {month}",
    ),
    "delivery_installation": (
        "il modem non mi è mai arrivato", "il tecnico non si è presentato all'appuntamento",
        "vorrei spostare l'installazione del {date2}", "il pacco dell'ordine {order} risulta consegnato ma non l'ho ricevuto",
        "la spedizione è ferma da {days} giorni", "il tecnico ha lasciato il lavoro a metà",
        "il {device} è arrivato rotto", "ho preso un giorno di ferie per aspettare il tecnico e niente",
        "mi serve il numero di tracking", "l'installatore ha fatto un buco nel muro nel posto sbagliato",
        "quando passa il tecnico per collegare la fibra?", "la consegna è stata rimandata già due volte",
    ),
    "account_access": (
        "non riesco a entrare nell'area clienti", "ho dimenticato la password", "l'app mi dice credenziali errate",
        "il codice OTP non arriva", "il mio account è bloccato", "devo cambiare la mail collegata al profilo",
        "qualcuno ha modificato i miei dati di accesso", "il link per reimpostare la password è scaduto",
        "l'app si chiude appena faccio login", "non ricevo la mail di conferma registrazione",
        "vorrei aggiornare il numero di cellulare dell'account", "lo SPID non funziona per entrare nel sito",
    ),
    "information_request": (
        "vorrei una copia della bolletta di {month}", "mi serve il duplicato della fattura {invoice}",
        "quanto costa l'offerta {tariff2}?", "la fibra arriva a {other_city}?", "come posso pagare con carta?",
        "vorrei sapere quando finisce il vincolo", "il modem è in comodato o lo pago?",
        "che differenza c'è tra {tariff} e {tariff2}?", "vorrei attivare la domiciliazione bancaria",
        "mi servono informazioni sui costi di attivazione", "c'è copertura in {other_street}?",
        "mi mandate le condizioni del contratto?",
    ),
    "service_complaint": (
        "l'operatore mi ha chiuso il telefono in faccia", "ho aspettato {minutes} minuti in linea",
        "nessuno risponde alle mie mail", "mi chiamate tutti i giorni per offerte che non voglio",
        "ogni volta devo rispiegare tutto da capo", "il vostro assistente virtuale non capisce niente",
        "la persona al negozio di {city} è stata arrogante", "mi avete promesso di richiamarmi e non l'ha fatto nessuno",
        "ogni operatore mi dice una cosa diversa", "il servizio clienti è irraggiungibile",
        "ho ricevuto risposte sbagliate tre volte", "sono stato trattato con sufficienza",
    ),
}
#: what the customer wants done, per claim type
DEMANDS = {
    "billing_dispute": ("chiedo la rettifica della fattura", "voglio lo storno dell'importo", "mandatemi una nota di credito",
                        "ricalcolate la bolletta con la lettura reale", "sospendete l'addebito finché non è chiarito"),
    "refund": ("fatemi il bonifico al più presto", "ditemi una data certa per il rimborso", "restituitemi la cifra",
               "voglio sapere quando vedrò i soldi"),
    "tariff_change": ("applicatemi il prezzo giusto", "fatemi il cambio dal prossimo mese", "ditemi quali offerte posso avere",
                      "ripristinate lo sconto"),
    "technical_fault": ("mandate un tecnico", "ripristinate la linea", "ditemi quando si risolve",
                        "voglio un indennizzo per i giorni senza servizio"),
    "technical_fault_other": ("sistemate il problema", "mandate qualcuno a controllare", "ditemi cosa devo fare"),
    "activation": ("attivate il servizio", "sollecitate la pratica", "datemi una data precisa"),
    "cancellation": ("confermatemi la chiusura per iscritto", "annullate la penale", "mandatemi il codice",
                     "smettete di fatturarmi"),
    "delivery_installation": ("fissate un nuovo appuntamento", "mandatemi il tracking", "rispeditemi il modem",
                              "confermatemi la fascia oraria"),
    "account_access": ("sbloccatemi l'account", "mandatemi un nuovo link", "aiutatemi a rientrare"),
    "information_request": ("mandatemela via mail", "fatemi sapere", "mi dite come fare?"),
    "service_complaint": ("voglio parlare con un responsabile", "registrate il mio reclamo", "voglio delle scuse",
                          "toglietemi dalle vostre liste"),
}
INTRO = ("sono {first} {last}, cliente {brand_short}", "mi chiamo {first} {last}", "sono cliente da {years} anni",
         "sono {first}, ho luce e fibra con voi", "codice cliente {customer_code}", "sono il titolare del contratto {customer_code}",
         "scrivo da {city}", "sono una vostra cliente di {city}")
RELATIVE = ("scrivo per conto di mia madre, {first} {last}, intestataria del contratto",
            "sono il figlio del titolare, lui non usa internet", "vi scrivo per mio padre, che è anziano e non ci sente bene",
            "mia moglie è l'intestataria, la pratica la seguo io", "scrivo io perché mia nonna non sa usare l'app",
            "sono la figlia di {first} {last}, ho la delega")
CONTEXT = ("lavoro in smart working", "ho due bambini piccoli in casa", "sono sempre stato puntuale nei pagamenti",
           "ho cercato nelle FAQ senza trovare niente", "ho già chiamato il numero verde", "non sono pratico di tecnologia",
           "questa cosa va avanti da {days} giorni", "ho già mandato tutti i documenti", "ho appena traslocato",
           "siamo in quattro in casa", "sono una persona anziana", "ho un'attività e ci lavoro")
CONNECT = ("e poi", "inoltre", "oltretutto", "in più", "tra l'altro", "anche", "e come se non bastasse", "per di più")
#: how the feeling is said, composed from a subject and what it is
FEEL_SUBJECT = ("questa situazione", "il vostro servizio", "sta storia", "tutto questo", "il modo in cui mi trattate",
                "la vostra assistenza", "questa faccenda")
FEEL_NEG = ("è inaccettabile", "mi sta facendo perdere un sacco di tempo", "non è normale", "è una presa in giro", "non ha senso",
            "mi ha stancato", "mi fa arrabbiare", "non è più sostenibile", "è un disastro")
FEEL_POS = ("è stata ottima", "mi ha sorpreso in positivo", "funziona benissimo", "è davvero efficiente")
ANGRY = ("vergognatevi", "siete dei ladri", "incompetenti", "basta!!!", "ma vi rendete conto???", "ridicoli",
         "sono furioso", "che schifo", "buffoni", "non vi sopporto più", "è l'ultima volta che vi scrivo con calma")
THREAT = ("vado all'AGCOM", "faccio segnalazione all'ARERA", "mi rivolgo a un avvocato", "chiamo Striscia la Notizia",
          "vado dal giudice di pace", "scrivo ad Altroconsumo", "faccio ricorso al Corecom",
          "lascio recensioni ovunque", "passo alla concorrenza domani stesso", "mi rivolgo al Codacons")
FORMAL = ("ai sensi del Codice del Consumo", "come previsto dalla Carta dei Servizi", "in mancanza di riscontro entro 30 giorni "
          "procederò con la conciliazione", "vi diffido formalmente", "richiedo risposta scritta motivata",
          "mi riservo ogni azione a tutela dei miei diritti", "chiedo l'indennizzo previsto dalla delibera")
POLITE = ("capisco che gli errori possono capitare", "so che avete tanto lavoro", "non voglio fare polemica",
          "immagino sia un disguido", "vi ringrazio comunque per l'attenzione", "grazie in anticipo",
          "grazie per la pazienza", "resto a disposizione")
PRAISE = ("l'operatrice di ieri è stata gentilissima", "il vostro tecnico è stato bravissimo", "complimenti per la velocità",
          "siete stati davvero disponibili", "grazie di cuore per l'aiuto", "mi trovo bene con voi da anni")
OPEN = {"burst": ("ciao", "salve", "buongiorno", "ehi", "allora", "scusate", ""),
        "plain": ("Buongiorno,", "Salve,", "Buonasera,", "Gentile assistenza,", "Ciao,", ""),
        "formal": ("Spettabile {brand},", "Alla cortese attenzione dell'Ufficio Reclami,", "Egregi signori,",
                   "Oggetto: reclamo formale.", "Gentili signori,")}
CLOSE = {"burst": ("grz", "fatemi sapere", "risp pls", "??", "ciao", "aspetto", ""),
         "plain": ("Grazie.", "Attendo notizie.", "Fatemi sapere, grazie.", "Buona giornata.", "Saluti."),
         "formal": ("Distinti saluti.", "In attesa di cortese riscontro, porgo distinti saluti.", "Cordialmente.",
                    "Con osservanza.")}
#: spoken and written colour: regional interjections and English words Italians use
DIALECT = ("mannaggia", "uffa", "boh", "vabbè", "ammazza", "mizzica", "uè", "madonna santa", "eh niente", "daje",
           "mah", "porca miseria")
ENGLISH = ("sorry", "ok", "please", "asap", "help", "thanks", "feedback", "customer care", "call center", "no way")
#: chat shorthand: (word, abbreviation)
SHORTHAND = (("non", "nn"), ("per", "x"), ("che", "ke"), ("perché", "xké"), ("comunque", "cmq"), ("grazie", "grz"),
             ("tutto", "tt"), ("messaggio", "msg"), ("numero", "nr"), ("qualcosa", "qlc"), ("giorni", "gg"),
             ("sono", "sn"), ("anche", "anke"))
#: words a speech recogniser mishears
ASR = (("bolletta", "bolla etta"), ("fibra", "fibbra"), ("rimborso", "rim borso"), ("disdetta", "di detta"),
       ("modem", "modo"), ("contatore", "con tatore"), ("operatore", "opera tore"), ("fattura", "fatture a"),
       ("attivazione", "attiva zione"), ("password", "pass word"), ("tecnico", "tecnici"), ("internet", "inter net"))
