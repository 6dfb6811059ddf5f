"""English parts the free-form writer composes messages from; the same names as `freeform_it`."""

FACTS = {
    "billing_dispute": (
        "there's a charge of {amount} on my bill I don't recognise", "you billed me {amount} for something I never ordered",
        "invoice {invoice} is wrong", "my last bill came in at {amount2}, way above normal", "I've been charged twice this month",
        "I normally pay {price} and now it's {amount}", "the usage on the bill doesn't match my meter",
        "I'm disputing the {month} bill", "the direct debit taken is different from the bill amount",
        "you estimated my readings and they're double the real ones",
    ),
    "refund": (
        "I'm still waiting for my refund of {amount}", "the refund you promised never arrived", "you owe me {amount}",
        "it's been {days} days and no money", "I want back what I overpaid", "my deposit was never returned",
        "I'm in credit by {amount} since I closed the account", "how do I get my money back?",
    ),
    "tariff_change": (
        "I'd like to switch to {tariff2}", "my {tariff} plan no longer suits me", "the discount I was promised isn't applied",
        "you raised my monthly fee without notice", "can I change plan and keep my number?",
        "I want a cheaper plan", "the price was meant to be fixed for 24 months",
    ),
    "technical_fault": (
        "the internet has been down for {days} days", "the line keeps dropping", "the router light is red",
        "speed is terrible, {speed} Mbps", "I can't work from home because the fibre is down",
        "the {device} keeps disconnecting", "I've restarted everything twice, nothing", "the whole building has no connection",
    ),
    "technical_fault_other": (
        "my phone has no signal", "mobile data doesn't work", "calls keep dropping", "the meter keeps tripping",
        "the {device} stopped working", "texts aren't coming through", "the meter display is blank",
    ),
    "activation": (
        "I signed up on {date} and nothing is active yet", "the new SIM won't activate", "my number port is stuck",
        "I've been waiting {days} days for the {service_bare} to be activated", "when will the supply start at my new flat?",
        "the eSIM doesn't show up on my {device}", "what's the status of order {order}?",
    ),
    "cancellation": (
        "I want to cancel my contract", "please close my account", "I need my migration code",
        "I cancelled and I'm still getting bills", "you charged me a {amount} exit fee", "I'm moving to another provider",
        "how do I cancel?", "I don't want to be your customer any more",
    ),
    "delivery_installation": (
        "my router never arrived", "the engineer didn't show up", "I need to move the installation on {date2}",
        "order {order} says delivered but I never got it", "the parcel has been stuck for {days} days",
        "the {device} arrived broken", "I took a day off for the engineer and nobody came", "I need the tracking number",
    ),
    "account_access": (
        "I can't log in to my account", "I forgot my password", "the app says wrong credentials", "the OTP code never comes",
        "my account is locked", "I need to change the email on my profile", "the reset link has expired",
    ),
    "information_request": (
        "could I get a copy of my {month} bill?", "I need a duplicate of invoice {invoice}", "how much is {tariff2}?",
        "is fibre available in {other_city}?", "can I pay by card?", "when does my minimum term end?",
        "is the router on loan or am I paying for it?", "how do I set up direct debit?",
    ),
    "service_complaint": (
        "your agent hung up on me", "I waited {minutes} minutes on hold", "nobody answers my emails",
        "you keep calling me with offers I don't want", "every time I have to explain everything again",
        "your chatbot is useless", "someone promised a call back that never happened", "each agent tells me something different",
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
