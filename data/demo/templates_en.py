"""English wording of each claim subtype (customers living in Italy): CORE statements and SHORT ones.

Same keys and slots as `templates_it`; some statements keep Italian words (bolletta, disdetta) as expats do.
"""

CORE: dict[str, tuple[str, ...]] = {
    "unexpected_charge": (
        "Invoice no. {invoice} has a {amount} charge for premium services I never signed up for.",
        "I've been charged {amount} under \"digital services\" and I don't recognise it. I have no subscriptions.",
        "My bank statement shows a {amount} payment to you that doesn't match any bill.",
        "There's a \"premium content\" item of {amount} on my {month} bolletta. I never activated anything like that.",
    ),
    "double_billing": (
        "My {month} bill was taken from my account twice, {amount} and then {amount} again.",
        "I paid invoice {invoice} by bank transfer on {date} and you also took it by direct debit.",
        "I can see two identical {amount} charges for the same billing period.",
    ),
    "estimated_reading": (
        "I received an adjustment bill of {amount2} for {service_bare} based on estimated readings. The meter shows "
        "far less.",
        "My {month} bill is {amount2}, three times the usual. You used an estimated reading, here is my own reading.",
        "The consumption you billed is absurd: {amount2} for two months in a one-bedroom flat. Please correct it "
        "with the actual meter reading.",
    ),
    "wrong_amount": (
        "Invoice {invoice} is {amount} but my {tariff} plan is {price} a month.",
        "Since {month} I've been paying {amount} instead of the {price} agreed when I signed up to {tariff}.",
        "The bill doesn't match the offer I signed: I was told {price} all inclusive and I'm paying {amount}.",
    ),
    "refund_status": (
        "You confirmed a refund of {amount} on {date} but nothing has reached my account yet.",
        "Could you tell me the status of the {amount} refund for invoice {invoice}?",
        "When will the {amount} refund arrive? I was told 30 days and it's been {days}.",
    ),
    "refund_request": (
        "I'm requesting a refund of the {amount} I overpaid. Please credit IBAN {iban}.",
        "After closing my contract I'm {amount} in credit. How do I get it back? IBAN {iban}",
        "I paid the same bill twice and I want the {amount} back. IBAN in my name: {iban}.",
    ),
    "deposit_refund": (
        "I returned the {device} on {date} but the {amount} deposit still hasn't been refunded.",
        "My last invoice doesn't include the {amount} deposit I'm owed after cancelling.",
        "I sent the router back as requested (receipt dated {date}). When do I get my {amount} deposit?",
    ),
    "plan_switch": (
        "I'd like to move from {tariff} to {tariff2}. Can I do that without fees?",
        "I'm interested in the {tariff2} offer on your website. Can I switch and keep my number?",
        "I need to upgrade my plan from {tariff} to {tariff2}. How do I go about it?",
        "Please change my tariff to {tariff2}, {tariff} doesn't suit me any more.",
    ),
    "promo_not_applied": (
        "When I activated {tariff} I was promised a {discount} monthly discount for 12 months, but it's not on the "
        "bill.",
        "The loyalty discount of {discount} your agent confirmed wasn't applied to my {month} bill.",
        "I signed up for the {tariff2} promo but I'm still paying the full {price}.",
    ),
    "price_increase": (
        "I got a letter saying {tariff} goes up by {amount} a month. Why?",
        "You've raised my {tariff} fee by {amount} although I haven't changed anything.",
        "Can you explain the price change on my {tariff} plan? I signed up for a fixed price.",
    ),
    "no_line": (
        "I've had no internet for {days} days, the router light is solid red.",
        "The fibre has been down since {date}. I've restarted the {device} several times, nothing.",
        "No landline and no internet at all at {address}. I work from home and I'm stuck.",
        "Internet has been down for {days} days, the LOS light on the modem is blinking red.",
    ),
    "slow_connection": (
        "The connection is painfully slow: speed tests show {speed} Mbps instead of the 1000 of {tariff}.",
        "For a week the internet has been slow and keeps dropping, especially in the evening. The {device} wifi "
        "disconnects.",
        "I pay for fibre but I get {speed} Mbps, video calls keep freezing.",
    ),
    "outage_area": (
        "Is there an outage in the area? The whole building in {city} has had no internet since this morning.",
        "The whole neighbourhood has been without {service_bare} since last night. Any idea when it's back?",
        "Reporting an outage on {street}, {city}: none of the neighbours have a connection.",
    ),
    "mobile_no_signal": (
        "My phone has no signal at home any more, it often says \"emergency calls only\".",
        "For a few days the SIM has no data: no 4G or 5G, even after restarting the {device}.",
        "Calls keep dropping and texts don't arrive, the number is {phone_text}.",
    ),
    "meter_fault": (
        "The electricity meter keeps tripping even with only a few appliances on.",
        "The {device} seems broken, the display has been off for {days} days.",
        "The smart meter hasn't sent readings for months, POD {pod}.",
    ),
    "activation_status": (
        "I signed up to {tariff} on {date}. Where are we with the activation?",
        "Could you tell me the status of my {service_bare} activation, order number {order}?",
        "When will the {service_bare} supply be active at my new place on {street}?",
    ),
    "sim_activation": (
        "The new SIM won't activate, the phone says \"invalid SIM\". I ported my number {phone_text}.",
        "I requested number portability from my old provider on {date} and the number still hasn't moved.",
        "I installed the eSIM on my {device} but no network shows up.",
    ),
    "activation_delay": (
        "I signed the {tariff} contract on {date} and after {days} days still nothing, nobody tells me anything.",
        "The {service_bare} was supposed to be activated within 10 days, it's been {days}.",
        "You guaranteed activation within a week: it's been almost a month and I still have no service.",
    ),
    "cancel_request": (
        "I want to cancel my {tariff} contract, customer code {customer_code}.",
        "I'm writing to give notice that I'm withdrawing from the {service_bare} contract from next month.",
        "How do I cancel? I'd like to close the {tariff} contract by {month}. I know I need a disdetta.",
    ),
    "cancellation_fee": (
        "After cancelling you charged me {amount} in deactivation costs that nobody mentioned.",
        "I closed the contract on {date} but I keep getting bills, the last one for {amount}.",
        "A {amount} early termination fee? The contract had no minimum term, {tariff} says so.",
    ),
    "switch_provider": (
        "I'm moving to another provider and I need the migration code for the landline.",
        "I found a better deal elsewhere. What do I need to do to switch without losing service?",
        "I'd need the transfer code to change my {service_bare} supplier.",
    ),
    "tracking": (
        "My router hasn't arrived yet, order {order}. Can you give me the tracking?",
        "The SIM delivery has been stuck for {days} days, order {order}.",
        "Where is my parcel? The courier says delivered but I got nothing. Order {order}.",
    ),
    "appointment": (
        "I'd like to move the technician appointment on {date2}, I won't be home that day.",
        "Can the installation be brought forward? It's currently booked for {date2}.",
        "Can you confirm the time slot for the installation on {date2}?",
    ),
    "missed_appointment": (
        "The technician was due on {date} between 8 and 1. I took a day off and nobody showed up.",
        "Second installation appointment missed for my {service_bare}, nobody warned me.",
        "I waited for the technician all morning on {date}: no call, no one.",
    ),
    "faulty_install": (
        "The technician installed the fibre leaving cables everywhere and a hole in the wall, and it doesn't work.",
        "The {device} you sent arrived broken, it won't turn on.",
        "The installation was done badly: the fibre socket is in the wrong place and the wifi doesn't reach the "
        "bedroom.",
    ),
    "password_reset": (
        "I can't log in to my account, I forgot the password and the recovery email never arrives.",
        "The {brand_short} app says \"invalid credentials\" even though my password is right.",
        "How do I reset my app password?",
    ),
    "account_locked": (
        "My account is locked after too many login attempts. How do I unlock it?",
        "I'm not receiving the OTP text to log in to the app, so I can't get in.",
        "My account says \"suspended for security reasons\". I didn't do anything!",
    ),
    "email_change": (
        "I need to change the email on my account, I no longer use the old one. The new one is {email_text}.",
        "Someone changed the email on my profile and now I can't log in.",
        "Please update my account contacts: email {email_text} and mobile {phone_text}.",
    ),
    "invoice_copy": (
        "Could you send me a copy of my {month} bill? I need it for my tax return.",
        "I need a duplicate of invoice {invoice}.",
        "I can't find the {month} invoice in the app, could you email it to me?",
    ),
    "tariff_info": (
        "I'd like some information on {tariff2}: how much is it and is there a minimum term?",
        "Does {tariff2} include the router? Are there activation fees?",
        "What's the difference between {tariff} and {tariff2}?",
    ),
    "coverage_check": (
        "Could you tell me whether FTTH fibre is available at {other_street}, {other_city}?",
        "I'm moving to {other_city}: do you have fibre coverage on {other_street}?",
        "Is 2.5 Giga fibre available in {other_city}? The address is {other_street}.",
    ),
    "payment_methods": (
        "I'd like to set up direct debit for my bills on IBAN {iban}. How do I do it?",
        "Can I pay the bill by credit card instead of the postal slip?",
        "How do I change the payment method in the app?",
    ),
    "contract_terms": (
        "Could you explain my {tariff} contract terms: are there penalties if I leave before 24 months?",
        "Is the router on loan or am I paying it in instalments? The contract isn't clear.",
        "How long until the minimum term on my {tariff} offer ends?",
    ),
    "rude_agent": (
        "I called your helpline on {date} and the agent was rude and hung up on me.",
        "I want to report the behaviour of the agent I spoke to: arrogant and dismissive.",
        "I was treated with contempt at the {brand_short} store in {city}.",
    ),
    "long_wait": (
        "I waited {minutes} minutes on hold and then the line dropped.",
        "It's impossible to reach a human: endless waits and the bot doesn't understand.",
        "I've sent three emails and nobody answers, the waiting times are unacceptable.",
    ),
    "unsolicited_calls": (
        "You keep calling me with sales offers although I withdrew consent. I don't want to be contacted again.",
        "I get calls from your call centres every day trying to sell me offers, even on {phone_text}.",
        "You called me with an offer, I accepted, and then you told me I couldn't have it. What's the point?",
    ),
    "unresolved_repeated": (
        "I've been reporting the same problem for months and every time I have to explain everything from scratch.",
        "Every agent tells me something different and the problem never gets fixed.",
        "Nobody reads the history: I've explained everything several times to different agents.",
    ),
}

SHORT: dict[str, tuple[str, ...]] = {
    "unexpected_charge": ("{amount} charge I never authorised??", "who activated paid services on my line?"),
    "double_billing": ("bill charged twice", "double charge {amount}"),
    "estimated_reading": ("{amount2} adjustment bill?? seriously", "crazy {service_bare} bill"),
    "wrong_amount": ("wrong invoice", "paying {amount} instead of {price}"),
    "refund_status": ("where is my refund???", "still no refund", "when do I get the {amount} back?"),
    "refund_request": ("I want a refund", "refund {amount} to IBAN {iban}"),
    "deposit_refund": ("what about my deposit?", "router deposit never returned"),
    "plan_switch": ("switch me to {tariff2} pls", "change plan to {tariff2}"),
    "promo_not_applied": ("the discount isn't there", "promo not applied"),
    "price_increase": ("why is my fee going up?", "{amount} increase??"),
    "no_line": ("still no internet!!", "internet down", "no line for {days} days", "fibre down again"),
    "slow_connection": ("internet super slow", "{speed} mbps... this is fibre?!"),
    "outage_area": ("outage in the area?", "whole building without {service_bare}"),
    "mobile_no_signal": ("phone has no signal", "no network on my SIM"),
    "meter_fault": ("meter broken", "meter keeps tripping"),
    "activation_status": ("when will it be active?", "activation status order {order}?"),
    "sim_activation": ("sim not active", "number porting stuck"),
    "activation_delay": ("still not active after {days} days", "activation??"),
    "cancel_request": ("I want to cancel", "CANCEL MY CONTRACT"),
    "cancellation_fee": ("{amount} penalty?!", "still billed after cancelling"),
    "switch_provider": ("migration code?", "I need the codice di migrazione"),
    "tracking": ("router never arrived", "tracking for order {order}?"),
    "appointment": ("move technician appointment", "can I change the installation date?"),
    "missed_appointment": ("technician didn't show up", "no technician again"),
    "faulty_install": ("router arrived broken", "terrible installation"),
    "password_reset": ("forgot password", "can't log in to the app"),
    "account_locked": ("account locked", "OTP never arrives"),
    "email_change": ("change account email", "need to update my email"),
    "invoice_copy": ("copy of {month} bill", "duplicate invoice {invoice}"),
    "tariff_info": ("info on {tariff2}", "how much is {tariff2}?"),
    "coverage_check": ("fibre in {other_city}?", "coverage at {other_street}?"),
    "payment_methods": ("can I pay by card?", "how to set up direct debit"),
    "contract_terms": ("when does my minimum term end?", "any penalties?"),
    "rude_agent": ("rude agent", "your agent hung up on me"),
    "long_wait": ("{minutes} minutes on hold!!", "nobody ever answers"),
    "unsolicited_calls": ("stop calling me", "no more sales calls"),
    "unresolved_repeated": ("same problem again", "nobody fixes anything"),
}
