"""English parts the free-form writer composes messages from; the same names as `freeform_it`."""

FACTS = {
    "billing_dispute": (
        "there's a charge of {amount} on my bill I don't recognise", "you billed me {amount} for something I never ordered",
        "invoice {invoice} is wrong", "my last bill came in at {amount2}, way above normal", "I've been charged twice this month",
        "I normally pay {price} and now it's {amount}", "the usage on the bill doesn't match my meter",
        "I'm disputing the {month} bill", "the direct debit taken is different from the bill amount",
        "you estimated my readings and they're double the real ones",
        "how can my {month} bill be {amount}?", "why was I charged {amount} when the flat was empty?",
        "I got a catch-up bill of {amount2} for usage from two years ago",
        "the bill uses an estimated reading even though I sent mine",
        "I'm still being charged for the router I sent back", "you're asking me to pay a bill I already paid on {date}",
        "there's a 'miscellaneous charges' line of {amount} nobody can explain",
        "my gas bill tripled with the same usage", "you billed the fibre for the days it wasn't working",
        "the amount isn't what we agreed on the phone",
    ),
    "refund": (
        "I'm still waiting for my refund of {amount}", "the refund you promised never arrived", "you owe me {amount}",
        "it's been {days} days and no money", "I want back what I overpaid", "my deposit was never returned",
        "I'm in credit by {amount} since I closed the account", "how do I get my money back?",
        "I'm in credit since closing the account but the money hasn't come",
        "I paid the same invoice twice and want the difference back", "you agreed compensation that I never received",
        "what's happening with refund {ticket}?",
        "you took {amount} from my card by mistake, when will it be returned?",
        "I'm owed the credit from the final bill", "please refund the days without service",
        "the refund was due by {date2}",
    ),
    "tariff_change": (
        "I'd like to switch to {tariff2}", "my {tariff} plan no longer suits me", "the discount I was promised isn't applied",
        "you raised my monthly fee without notice", "can I change plan and keep my number?",
        "I want a cheaper plan", "the price was meant to be fixed for 24 months",
        "I got a letter saying my price goes up next month, can I change plan?",
        "your website shows a cheaper deal than mine", "I'd like to move from a variable to a fixed price",
        "can I add gas to my electricity plan?", "my contract term has ended, what price can you offer?",
        "I want to drop the add-on I pay for and never use", "you changed my terms without my agreement",
        "I saw the {tariff2} offer advertised, how do I switch to it?",
    ),
    "technical_fault": (
        "the internet has been down for {days} days", "the line keeps dropping", "the router light is red",
        "speed is terrible, {speed} Mbps", "I can't work from home because the fibre is down",
        "the {device} keeps disconnecting", "I've restarted everything twice, nothing", "the whole building has no connection",
        "the fibre drops every evening after 9pm", "the router reboots itself several times a day",
        "there's been no connection at all since this morning", "speed test shows {speed} Mbps instead of 1000",
        "since the storm the internet hasn't come back", "the fibre light is flashing orange",
        "I reported the fault and nobody came", "the landline crackles and then cuts off",
    ),
    "technical_fault_other": (
        "my phone has no signal", "mobile data doesn't work", "calls keep dropping", "the meter keeps tripping",
        "the {device} stopped working", "texts aren't coming through", "the meter display is blank",
        "we've had no power since this morning, only our flat", "the gas meter isn't supplying anything",
        "the phone only shows 'emergency calls only'", "the new SIM won't register on the network",
        "the boiler won't start because there's no gas", "voicemail doesn't work",
    ),
    "activation": (
        "I signed up on {date} and nothing is active yet", "the new SIM won't activate", "my number port is stuck",
        "I've been waiting {days} days for the {service_bare} to be activated", "when will the supply start at my new flat?",
        "the eSIM doesn't show up on my {device}", "what's the status of order {order}?",
        "I moved in and asked for the supply in my name, still nothing", "the switch from my old supplier failed",
        "you sent the SIM but it's inactive", "the new fibre line has said 'being activated' for weeks",
        "I signed online and never got a confirmation", "the account shows active online but nothing works at home",
        "I need the power on before I move on {date2}", "the activation was cancelled for no reason",
    ),
    "cancellation": (
        "I want to cancel my contract", "please close my account", "I need my migration code",
        "I cancelled and I'm still getting bills", "you charged me a {amount} exit fee", "I'm moving to another provider",
        "how do I cancel?", "I don't want to be your customer any more",
        "I'm selling the house and need to close the gas supply", "I sent my cancellation on {date} and heard nothing",
        "how much is the fee if I leave now?", "I switched provider but you keep billing me",
        "you set up a contract I never signed and I want it cancelled",
        "I'm within the 14-day cooling-off period and want out",
        "my father passed away and I need to close his account", "I want to drop the landline and keep the mobile",
    ),
    "delivery_installation": (
        "my router never arrived", "the engineer didn't show up", "I need to move the installation on {date2}",
        "order {order} says delivered but I never got it", "the parcel has been stuck for {days} days",
        "the {device} arrived broken", "I took a day off for the engineer and nobody came", "I need the tracking number",
        "the courier says I wasn't home but I was", "the fibre installation appointment was missed again",
        "the meter engineer was due between 8 and 1 and never came", "the SIM you posted never arrived",
        "the router you sent isn't the one in my contract",
        "tracking {tracking} has been stuck at the depot for {days} days",
        "the engineer came but said a part was missing", "I need to move the appointment because I'm working that day",
    ),
    "account_access": (
        "I can't log in to my account", "I forgot my password", "the app says wrong credentials", "the OTP code never comes",
        "my account is locked", "I need to change the email on my profile", "the reset link has expired",
        "the app says my account number doesn't exist",
        "I changed number and don't get the verification texts any more",
        "I registered but can't see my bills in my account", "I can't remember which email I signed up with",
        "I see someone else's details in my account", "the site locks me out after three attempts",
        "I got a login alert from a device I don't know",
    ),
    "information_request": (
        "could I get a copy of my {month} bill?", "I need a duplicate of invoice {invoice}", "how much is {tariff2}?",
        "is fibre available in {other_city}?", "can I pay by card?", "when does my minimum term end?",
        "is the router on loan or am I paying for it?", "how do I set up direct debit?",
        "how do I read my bill?", "when will my next bill arrive?", "how do I submit a meter reading?",
        "can I pay in instalments?", "what documents do I need to move the account into my name?",
        "can I get my bills by email instead of paper?", "how much data do I have left this month?",
        "what are the opening hours of the {city} store?",
    ),
    "service_complaint": (
        "your agent hung up on me", "I waited {minutes} minutes on hold", "nobody answers my emails",
        "you keep calling me with offers I don't want", "every time I have to explain everything again",
        "your chatbot is useless", "someone promised a call back that never happened", "each agent tells me something different",
        "I was passed from one agent to another for an hour", "I asked for a supervisor and was refused",
        "your call centre promised things that never happened",
        "I got an automatic reply that had nothing to do with my question",
        "the store told me to call and the phone line told me to go to the store",
        "I've made three complaints and nobody replied", "a door-to-door salesman of yours tricked me into signing",
    ),
}
DEMANDS = {
    "billing_dispute": ("please correct the bill", "I want that charge reversed", "send me a credit note"),
    "refund": ("please send the money asap", "give me a date for the refund", "pay me back"),
    "tariff_change": ("apply the right price", "make the change from next month", "tell me what plans I can have"),
    "technical_fault": ("send an engineer", "fix the line", "I want compensation for the days without service"),
    "technical_fault_other": ("sort it out", "send someone to check", "tell me what to do"),
    "activation": ("activate the service", "chase the order", "give me a firm date"),
    "cancellation": ("confirm the cancellation in writing", "waive the fee", "send me the code"),
    "delivery_installation": ("book a new appointment", "send me the tracking", "send another router"),
    "account_access": ("unlock my account", "send me a new link", "help me get back in"),
    "information_request": ("email it to me", "let me know", "how do I do it?"),
    "service_complaint": ("I want to speak to a manager", "log my complaint", "I expect an apology", "take me off your lists"),
}
INTRO = ("I'm {first} {last}, a {brand_short} customer", "my name is {first} {last}", "I've been with you {years} years",
         "account number {customer_code}", "I'm the account holder, {customer_code}", "writing from {city}")
RELATIVE = ("I'm writing on behalf of my mother, {first} {last}, who holds the account",
            "I'm the account holder's son, he doesn't use email", "my wife's name is on the contract but I deal with it",
            "writing for my elderly dad who can't hear well on the phone")
CONTEXT = ("I work from home", "I have two small kids at home", "I've always paid on time", "I already checked your FAQ",
           "I already called your helpline", "this has been going on for {days} days", "I've just moved house",
           "I run a small business from here")
CONNECT = ("and", "also", "on top of that", "plus", "and another thing", "as well as that")
FEEL_SUBJECT = ("this situation", "your service", "the whole thing", "the way I'm being treated", "your support")
FEEL_NEG = ("is unacceptable", "is wasting so much of my time", "is not normal", "is a joke", "has worn me out",
            "is a total mess", "is really annoying")
FEEL_POS = ("was excellent", "pleasantly surprised me", "works brilliantly", "has been really efficient")
ANGRY = ("shame on you", "you are thieves", "useless", "enough!!!", "are you kidding me???", "ridiculous",
         "I'm furious", "disgusting", "clowns", "this is the last polite message you'll get")
THREAT = ("I'm going to the regulator", "I'll report you to AGCOM", "I'm calling my lawyer", "I'll take this to court",
          "I'll post reviews everywhere", "I'm switching provider tomorrow", "I'll contact the consumer association")
FORMAL = ("under the Consumer Code", "as set out in your service charter", "failing a reply within 30 days I will "
          "start conciliation", "I hereby give formal notice", "I request a written reasoned reply",
          "I reserve all rights")
POLITE = ("I understand mistakes happen", "I know you're busy", "I don't want to make a fuss", "I assume it's a glitch",
          "thanks anyway for your help", "thanks in advance", "thanks for your patience")
PRAISE = ("the agent yesterday was lovely", "your engineer was great", "well done on the speed",
          "you've been really helpful", "thank you so much for the help")
OPEN = {"burst": ("hi", "hey", "hello", "so", "sorry", ""),
        "plain": ("Hello,", "Hi,", "Good morning,", "Dear support,", ""),
        "formal": ("Dear {brand},", "For the attention of the Complaints Department,", "Dear Sir or Madam,",
                   "Re: formal complaint.")}
CLOSE = {"burst": ("thx", "let me know", "pls reply", "??", "cheers", ""),
         "plain": ("Thanks.", "Looking forward to hearing from you.", "Let me know, thanks.", "Kind regards."),
         "formal": ("Yours faithfully.", "I look forward to your prompt reply.", "Regards.")}
DIALECT = ("mate", "honestly", "ugh", "cheers", "gutted", "blimey", "y'know", "innit")
ENGLISH = ("grazie", "per favore", "allora", "bolletta", "ciao", "pazienza")
SHORTHAND = (("you", "u"), ("please", "pls"), ("thanks", "thx"), ("because", "cuz"), ("are", "r"),
             ("tomorrow", "tmrw"), ("people", "ppl"), ("message", "msg"), ("today", "2day"), ("for", "4"))
ASR = (("bill", "bil"), ("router", "rooter"), ("refund", "re fund"), ("cancel", "can sell"), ("account", "a count"),
       ("engineer", "engine ear"), ("password", "pass word"), ("invoice", "in voice"), ("meter", "metre"))
