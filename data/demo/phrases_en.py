"""English phrases around the claim statement; same names and slots as `phrases_it`."""

TOPIC = {"billing_dispute": "my bill", "refund": "a refund", "tariff_change": "a tariff change",
         "technical_fault": "a line fault", "activation": "the activation", "cancellation": "cancelling",
         "delivery_installation": "the installation", "account_access": "logging in to my account",
         "information_request": "a simple question", "service_complaint": "customer service"}
SUBJECT = {
    "billing_dispute": ("Dispute of invoice no. {invoice}", "Incorrect charge", "Wrong {month} bill"),
    "refund": ("Refund request", "Chasing refund of {amount}", "Refund not received"),
    "tariff_change": ("Change of plan", "Switch to {tariff2}", "Discount not applied"),
    "technical_fault": ("Fault report", "URGENT - no line", "Connection problem"),
    "activation": ("Activation status", "{service_bare} activation", "Activation delay"),
    "cancellation": ("Contract cancellation", "Notice of withdrawal", "Cancellation fees"),
    "delivery_installation": ("Order {order}", "Technician appointment", "Installation"),
    "account_access": ("Account access", "Account locked", "App login problem"),
    "information_request": ("Information request", "Copy of invoice", "Info on {tariff2}"),
    "service_complaint": ("Complaint", "Formal complaint", "Poor service"),
}
FORM_CATEGORY = {"billing_dispute": "Billing and payments", "refund": "Refunds", "tariff_change": "Change of offer",
                 "technical_fault": "Technical support", "activation": "Activations",
                 "cancellation": "Cancellation", "delivery_installation": "Deliveries and installations",
                 "account_access": "Account access", "information_request": "Sales information",
                 "service_complaint": "Complaints"}
FORM_OTHER = "Other"
SECONDARY = {
    "billing_dispute": ("While I'm at it, my last bill also looks higher than usual.",
                        "Also there's a charge on the invoice I don't understand."),
    "refund": ("And obviously I expect a refund for the days without service.",
               "I'm also still waiting for the refund from last time."),
    "tariff_change": ("I'd also like to know if I can move to a cheaper plan.",
                      "I also want to change plan, the current one isn't worth it."),
    "technical_fault": ("On top of that the internet keeps dropping.", "And the line keeps cutting out too."),
    "activation": ("And the second SIM I ordered still isn't active.", "The gas activation is also stuck."),
    "cancellation": ("If you don't fix this I'm cancelling everything.", "I'm seriously thinking of switching."),
    "delivery_installation": ("Oh, and the new router still hasn't arrived.",
                              "The technician was supposed to come and never did."),
    "account_access": ("Also I can't even log in to the app to check.", "And the app won't let me in."),
    "information_request": ("One last thing: could you also send me a copy of the last bill?",
                            "I'd also like to know if you have a combined electricity and gas offer."),
    "service_complaint": ("And your customer service never answers.", "The agent last time was rude as well."),
}
RESOLVED = {
    "billing_dispute": ("the credit note arrived and the bill has been corrected", "the charge was reversed"),
    "refund": ("the {amount} refund has reached my account", "I got the refund"),
    "tariff_change": ("the plan change went through", "the discount is there now"),
    "technical_fault": ("the line is working again", "the internet is fine now"),
    "activation": ("the service is active now", "the activation went through"),
    "cancellation": ("I got the cancellation confirmation", "the cancellation is closed"),
    "delivery_installation": ("the technician came and everything works", "the router arrived"),
    "account_access": ("I managed to log in to the app", "the account is unlocked"),
    "information_request": ("I got the information I needed", "everything arrived by email"),
    "service_complaint": ("I received your apology and an explanation", "the manager called me back"),
}

GREET_FORMAL = ("Dear Sir or Madam,", "Hello,", "Dear {brand} team,", "Good morning,", "Hi,", "To whom it may concern,")
GREET_CASUAL = ("Hi", "Hello", "Hey", "Hi there", "Ciao", "Good evening")
INTRO = ("my name is {first} {last}, {brand_short} customer code {customer_code}.",
         "I'm {first} {last} and I've been your customer for {years} years.",
         "I'm writing as the account holder of contract {customer_code}.",
         "this is {first} {last}, a customer for {years} years.")
CONTEXT = ("I'm not Italian and the Italian-only letters are hard for me to follow, so please reply in English.",
           "I have always paid on time and never had any problems before.",
           "I looked through your website and FAQ but couldn't find a clear answer.",
           "I have two contracts with you, electricity and fibre, and until now I was happy.")
CONTEXT_FOR = {
    "technical_fault": ("I work from home, so without a connection I simply cannot do my job.",
                        "We are a family of four and the kids need the connection for school."),
    "activation": ("I've just moved in and without the service I'm really stuck.",),
    "delivery_installation": ("I had to take a day off work to wait for the technician.",),
    "billing_dispute": ("It's not a small amount and it really hurts this month.",),
}
DETAILS = ("My details: {address}, customer code {customer_code}, mobile {phone_text}.",
           "You can reach me on {phone_text} at any time.",
           "The contract is in my name, {first} {last}, supply address {address}.",
           "For any checks my codice cliente is {customer_code}.")
DETAILS_FOR = {
    "technical_fault": ("I've already restarted the router, unplugged it for ten minutes and checked the cables.",),
    "billing_dispute": ("I've attached the bill and the payment receipt.",),
    "refund": ("I've attached the payment receipt.",),
}
REQUEST = ("Could you look into it and let me know?", "I look forward to hearing from you.",
           "Please sort this out.", "Waiting for your reply.", "Can you let me know?",
           "Thanks in advance for your help.")
ANGRY_OPEN = ("This is a disgrace!", "I am absolutely furious.", "Enough is enough!", "Unbelievable.",
              "How is this even possible??", "YOU ARE THIEVES.")
ANGRY_CLOSE = ("If this isn't fixed within 48 hours I'm filing a complaint with AGCOM and switching provider.",
               "Consider this a formal notice, I'll be going to a consumer association.",
               "I'm running out of patience, THIS IS RIDICULOUS.", "I demand an answer TODAY.",
               "I'll switch and tell everyone I know.", "Shame on you.")
FRUSTRATED = ("I'm tired of waiting.", "This isn't the first time.", "I'm starting to lose patience.",
              "Why is this so complicated?", "Frankly I'm disappointed.", "This doesn't seem normal.")
POLITE_CLOSE = ("Many thanks for your help.", "Thank you, have a nice day.", "Thanks, much appreciated.",
                "Thank you for your attention.")
THANKS = ("Just wanted to say thank you: {resolved}.", "All sorted, {resolved}. Thanks a lot!",
          "Just confirming that {resolved}. Very kind, thank you!",
          "Great, {resolved}. Thanks to {agent} for the help!")
PRAISE = ("I'm really happy with {brand_short}, well done.", "You have always been very kind to me.",
          "I must say the service has always been excellent.")
#: why a standard request still needs a person: what the bot cannot do here
COMPLICATION = ("I already tried in the app but it gives me an error.", "I can't find the right option on the website.",
                "My case is a bit unusual, the contract is in my father's name.",
                "Your virtual assistant couldn't help me.",
                "There are two contracts in my name and I don't know which one it is.",
                "I need to talk this through with someone, the automatic reply isn't enough.")
IN_SHORT = "In short:"
ADD_INFO = ("As requested, here are my details: customer code {customer_code}, number {phone_text}.",
            "Here is the photo of the bill you asked for.", "As requested, the supply address is {address}.")

REF = {
    "email": ("I emailed you {when}", "as I wrote in my email {when}", "I sent you an email {when} and nobody replied"),
    "phone": ("I called customer service {when}", "I already spoke to one of your agents {when}",
              "on the phone {when} I was told it would be fixed"),
    "chat": ("I discussed this in the chat {when}", "in the chat {when} you told me to wait"),
    "whatsapp": ("I messaged you on WhatsApp {when}", "on WhatsApp {when} you said you were working on it"),
    "sms": ("I sent you a text {when}",),
    "messaging": ("I wrote to you in the app {when}", "in the app chat {when} you told me to be patient"),
    "social": ("I also wrote to you on Facebook {when}", "I already reported this on social media {when}"),
    "review": ("I also left a review {when}",),
    "web_form": ("I filled in the form on your website {when}", "I opened a request through the website {when}"),
}
REF_TICKET = ("The case number is {ticket}.", "Case no. {ticket}.", "You gave me case number {ticket}.")
REF_COUNT = ("This is the {nth} time I'm contacting you.", "I'm contacting you for the {nth} time.")
STATUS = ("and nothing has changed.", "but the problem still isn't solved.", "but nobody called me back.",
          "and I'm still waiting.", "and you promised a solution within 48 hours.")

SIGN_OFF = ("Kind regards", "Best regards", "Regards", "Thanks", "Best", "Many thanks")
MOBILE_SIG = ("Sent from my iPhone", "Sent from my Samsung Galaxy", "Get Outlook for Android")
DISCLAIMER = ("This e-mail and any attachments are confidential and intended solely for the addressee. If you have "
              "received it in error please notify the sender immediately and delete it. Any unauthorised use, "
              "disclosure or copying is prohibited.",
              "Please consider the environment before printing this email.")
QUOTE_HEADER = ("On {when}, {brand} Customer Service <assistenza@{domain}> wrote:",
                "-----Original Message-----\nFrom: {brand} Customer Service <assistenza@{domain}>\nSent: {when}")
AGENT_EMAIL = ("Dear customer, we have logged your request (case no. {ticket}). We will get back to you as soon as "
               "possible.\nKind regards,\n{brand} Customer Service",
               "Dear {first} {last}, thank you for contacting us. Your request has been forwarded to the relevant "
               "team with number {ticket}.\nThe {brand_short} team")
REPLY_PREFIX = "Re: "

IVR_WELCOME = ("Welcome to {brand}. Calls may be recorded. Please briefly describe the reason for your call.",
               "Welcome to {brand_short} customer service. In a few words, how can we help?")
IVR_HANDOFF = ("Thank you. I'm connecting you to an agent, please hold.",
               "All our agents are busy, please hold the line.")
AGENT_GREET = ("{brand}, good morning, this is {agent}. How can I help?", "Hello, {agent} speaking, go ahead.",
               "Customer service, this is {agent}. What can I do for you?")
AGENT_ID = ("To verify your identity, could you give me your customer code or the account holder's tax code?",
            "Could you confirm your full name and the phone number on the account?")
CUSTOMER_ID = ("yes so the customer code is {customer_code}", "I'm {first} {last}, the number is {phone_text}",
               "{first} {last}, code {customer_code}")
ASK_REPLY = (("Since when have you had the problem?", "roughly since {date}"),
             ("Could you confirm the supply address?", "yes, {address}"),
             ("Have you received any communication from us?", "no, nothing at all"),
             ("Can I have a number to call you back on?", "sure, {phone_text}"))
ASK_REPLY_FAULT = (("Have you tried restarting the router?", "yes yes I restarted it three times"),
                   ("What do the lights on the router look like?", "well, one is red and the others are off"))
AGENT_ACTION = {
    "billing_dispute": "I've issued a credit note of {amount} that you'll see on the next bill",
    "refund": "the {amount} refund has been approved and will arrive within 10 working days",
    "tariff_change": "I've registered the switch to {tariff2}, it starts from the next billing cycle",
    "technical_fault": "I've reset the line remotely, it should work now",
    "activation": "I've escalated the activation, it will be completed by tomorrow",
    "cancellation": "I've registered the cancellation, you'll get a confirmation by email",
    "delivery_installation": "I've booked a new appointment for {date2}",
    "account_access": "I've sent you a link to reset your password",
    "information_request": "I've emailed you all the information",
    "service_complaint": "I apologise on behalf of the company, I've logged the complaint and a manager will call you",
}
AGENT_TICKET = ("I've opened case number {ticket}, you'll be contacted within 48 hours.",
                "I've forwarded the request to the relevant team, case {ticket}.")
AGENT_TRANSFER = ("I'll transfer you to a colleague in technical support, please hold.",
                  "For this I need to transfer you to billing, one moment.")
AGENT_CLOSE = ("Is there anything else I can do for you?", "Thank you for contacting {brand_short}, have a nice day.")
AGENT_FAIL = ("Unfortunately the system won't let me proceed, we'll call you back.",
              "Sorry, I can't see your case at the moment. Please try again later.")
END_CALM = ("No, that's all, thank you.", "Perfect, thanks a lot.", "Ok, thanks, bye.")
END_ANGRY = ("Same old story. Goodbye.", "Let's hope it works this time.", "We'll see. Bye.")
SYSTEM_DROP = "The call was disconnected."
SYSTEM_TRANSFER = "Transferring the call."
SYSTEM_JOIN = "{agent} joined the conversation."
SYSTEM_LEFT = "The customer left the conversation."

BOT_GREET = ("Hi! I'm {bot}, the {brand} virtual assistant. How can I help?", "Hi 👋 I'm {bot}. Type your question.")
BOT_ID = ("To continue, could you type your customer code? It's at the top right of your bill.",
          "First let's check your account: what is your customer code?")
IVR_ID = ("Please say or key in your customer code.",)
BOT_AUTOREPLY = ("Thanks for your message! An agent will get back to you as soon as possible.",)
BOT_HANDOFF = ("I'm connecting you to an agent, please wait a moment.", "I'm not sure I understood. Passing you to a "
               "colleague.")
BOT_CLOSE = ("Anything else I can help with?", "Glad I could help! 😊")
BOT_FAIL = ("Sorry, I didn't get that. Could you rephrase?",)
ASK_HUMAN = ("I want to talk to an agent", "agent", "a human please", "can I talk to a real person?")
CUSTOMER_OK = ("perfect thanks", "ok thanks a lot", "👍", "ok", "thanks!")
BOT_ANSWER = {
    "invoice_copy": "Here is a copy of your {month} bill: I've also sent it to your email.",
    "tariff_info": "{tariff2} costs {price2} a month with no minimum term. Details at {domain}/offers.",
    "coverage_check": "I checked: FTTH fibre up to 2.5 Giga is available at {other_street}.",
    "payment_methods": "You can set up direct debit in the app under Profile > Payments by entering your IBAN.",
    "contract_terms": "Your {tariff} offer has no penalties; the router is on free loan.",
    "activation_status": "Your request is being processed: activation is expected by {date2}.",
    "sim_activation": "I've reactivated your SIM profile: restart your phone in 10 minutes.",
    "tracking": "Your order {order} is out for delivery and will arrive by {date2}. Courier tracking: {tracking}.",
    "appointment": "I've moved your appointment to {date2}, 2-6 pm. You'll get a confirmation text.",
    "password_reset": "I've sent a password reset link to your registered email.",
    "account_locked": "I've unlocked your account and sent you a new OTP code.",
    "refund_status": "Your {amount} refund was issued on {date2} and will arrive within 5 working days.",
    "plan_switch": "I've registered your switch to {tariff2}: it starts from the next billing cycle.",
    "switch_provider": "Your migration code is {migration}. Give it to your new provider.",
    "outage_area": "Yes, there's a fault in your area: technicians are working on it, expected fix by {hour}.",
    "price_increase": "The change was notified 30 days in advance: you can withdraw without penalties before then.",
    "cancel_request": "You can cancel in your account under Contracts > Withdrawal. I've emailed you the form.",
    "deposit_refund": "Your {amount} deposit will be refunded on your next invoice.",
}

HASHTAGS = ("#fail", "#help", "#customerservice", "#badservice", "#fibre", "#Italy")
SOCIAL_TAIL = ("Anyone there?", "Well done, really.", "Is this normal?", "Help!!", "")
DM_ASK = ("Hi {first}, sorry for the trouble. Could you send us your customer code or phone number?",
          "Hi, we're here to help. Could you leave us a contact so we can check your account?")
DM_GIVE = ("my number is {phone_text}", "customer code {customer_code}", "email is {email_text}")
REVIEW_TITLE_NEG = ("Terrible service", "Avoid", "Non-existent support", "Never again")
REVIEW_TITLE_MID = ("So-so", "Average", "Service ok, support slow")
REVIEW_TITLE_POS = ("Great support", "Problem solved quickly", "Recommended")
REVIEW_OPEN = ("I've been with {brand_short} for {years} years.", "I had a problem with {topic}.", "")
REVIEW_NEG = ("Would not recommend.", "One star because zero isn't possible.", "Run while you can.")
REVIEW_MID = ("They sorted it out in the end, but it took far too long.", "Average service, long waits.")
REVIEW_POS = ("Kind and competent staff, I recommend {brand_short}!", "Problem fixed in a day, well done!",
              "Quick and friendly support.")
FORM_LABELS = {"first": "First name", "last": "Last name", "email": "Email", "phone": "Phone",
               "code": "Customer code", "category": "Request type", "invoice": "Invoice number",
               "message": "Message", "privacy": "Privacy consent: Yes", "pod": "POD code"}
