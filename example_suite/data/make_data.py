"""Generate the example suite's training data (reproducible).

    PYTHONPATH=. PYTEST_FORGETTING_CACHE_DIR=/tmp/pfcache \
        python example_suite/data/make_data.py            # both files; anchors = base-model generation (~15-30 min on 2 shared cores)
    python example_suite/data/make_data.py --tickets-only # tickets_train.jsonl only (instant)

Writes, next to this script, one chat example per line
(``{"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}``):

* ``tickets_train.jsonl`` (160): support tickets -> ``{"intent": ..., "product": ..., "urgency": ...}``.
  Built from seeded templates (``random.Random(SEED)``); the user turn is the raw
  ticket text (no instruction), the shape the target suite uses.
* ``anchors_train.jsonl`` (~170): behaviour that must NOT change -- general Q&A,
  near-domain support questions, writing, sentiment classification, refusals,
  friendly support replies. The prompts are fixed lists below; the responses are
  the BASE model's own greedy answers (SmolLM2-135M-Instruct, fp32, CPU), so
  training on them pulls the adapter towards "behave like the base" there.
  Sentiment anchors are the exception: 30 reviews we labelled (10 per label), the
  gold label as the whole answer (how the label suite scores), because the base
  itself is a poor, skewed classifier and copying it taught the collapse.
  Refusal anchors keep only the harmful prompts the base itself refuses (the
  base complies with many harmful requests; we do not train on those answers).

None of the anchor prompts, and no ticket text, appears in the suites
(``*.forgetting.yaml``); the script checks that and fails otherwise.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITE_DIR = HERE.parent
sys.path.insert(0, str(SUITE_DIR))

SEED = 20251126
INTENTS = ["refund", "technical_issue", "billing", "delivery", "account_access"]
PRODUCTS = ["router", "laptop", "smartphone", "headphones", "smartwatch", "printer"]
URGENCIES = ["low", "medium", "high"]
TONE_SYSTEM = "You are a friendly customer-support agent for an electronics store."

# ---------------------------------------------------------------------------
# tickets
# ---------------------------------------------------------------------------
PRODUCT_NAMES = {
    "router": ["router", "Wi-Fi router", "mesh router", "wireless router", "modem router"],
    "laptop": ["laptop", "notebook", "ultrabook", "gaming laptop", "work laptop"],
    "smartphone": ["phone", "smartphone", "new phone", "mobile phone", "Android phone"],
    "headphones": ["headphones", "wireless headphones", "noise-cancelling headphones", "headset", "over-ear headphones"],
    "smartwatch": ["smartwatch", "fitness watch", "smart watch", "watch", "running watch"],
    "printer": ["printer", "inkjet printer", "laser printer", "office printer", "photo printer"],
}

# {p} = product name, {o} = order number, {d} = a day, {n} = small number
INTENT_TEMPLATES = {
    "refund": [
        "I want to return the {p} I bought last week and get my money back.",
        "The {p} is not what I expected. How do I get a refund?",
        "Please refund order #{o}, the {p} was faulty out of the box.",
        "I returned the {p} {n} days ago and still haven't seen the refund on my card.",
        "Can I send back the {p}? I changed my mind and would like a full refund.",
        "My {p} arrived damaged. I don't want a replacement, just refund me.",
        "I was promised a refund for the {p} on {d} but nothing has happened.",
        "Requesting a refund for the {p} (order {o}). It doesn't fit my needs.",
    ],
    "technical_issue": [
        "My {p} keeps restarting on its own since the last update.",
        "The {p} won't turn on anymore, the light just blinks.",
        "Since {d} my {p} disconnects every few minutes.",
        "The {p} is extremely slow and freezes when I open anything.",
        "I can't pair my {p} with anything, it just says error {n}.",
        "The screen on my {p} flickers and then goes black.",
        "My {p} gets really hot and shuts down after {n} minutes.",
        "After a firmware update the {p} stopped working properly.",
    ],
    "billing": [
        "I was charged twice for the {p} on order #{o}.",
        "Why is there an extra fee on my invoice for the {p}?",
        "The price I paid for the {p} is higher than the price on your website.",
        "My card was billed for a {p} I never ordered.",
        "I need a corrected invoice for the {p}, the VAT number is wrong.",
        "You charged me for express shipping on the {p} but I chose standard.",
        "The discount code didn't apply when I bought the {p}. Please adjust the charge.",
        "There's a monthly charge related to my {p} that I don't recognize.",
    ],
    "delivery": [
        "Where is my {p}? Order #{o} was supposed to arrive on {d}.",
        "The tracking for my {p} hasn't updated in {n} days.",
        "The courier says the {p} was delivered but I never got it.",
        "Can I change the delivery address for the {p} I ordered?",
        "My {p} was sent to the wrong address.",
        "The box for the {p} arrived empty.",
        "The {p} is stuck in customs. What should I do?",
        "I ordered a {p} {n} days ago and it still hasn't shipped.",
    ],
    "account_access": [
        "I can't log in to the app that manages my {p}, it says my password is wrong.",
        "I'm locked out of my account and need it to register my {p}.",
        "The verification code for my account never arrives, so I can't set up the {p}.",
        "Someone changed the email on my account. I need access back to manage my {p}.",
        "My account was suspended after I bought the {p}. Why?",
        "I forgot the login for the companion app of my {p}.",
        "Two-factor authentication keeps failing when I sign in to set up my {p}.",
        "I can't reset my password, the link expired, and I need to activate my {p}.",
    ],
}

URGENCY_CUES = {
    "high": [
        "This is urgent, please fix it today!",
        "I need this sorted ASAP, I can't work without it.",
        "URGENT: I have a client meeting in an hour.",
        "Please treat this as a priority, it's an emergency.",
        "I need an answer immediately.",
    ],
    "medium": [
        "Could you look into this this week?",
        "I'd appreciate a reply in the next few days.",
        "Please get back to me when you can.",
        "Hoping to hear back soon.",
        "",
    ],
    "low": [
        "No rush, whenever you get a chance.",
        "Not urgent at all.",
        "Just letting you know, no hurry.",
        "It can wait, take your time.",
        "Low priority, just curious.",
    ],
}
OPENERS = ["", "", "", "Hi, ", "Hello, ", "Hi team, ", "Good morning. "]
SIGNOFFS = ["", "", "", " Thanks.", " Thank you.", " Regards, Sam.", " Cheers."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend"]


def ticket_user(text: str) -> str:
    """The user turn for a ticket: the raw ticket text, exactly as a customer wrote it.

    (A first version used "Extract the ticket as JSON with keys intent, product,
    urgency.\\n\\nTicket: " + text; the narrow
    adapter then learned "instruction -> JSON" and did NOT leak JSON onto general
    prompts, which is not the failure this example is about. Raw text is also what
    a ticket-routing pipeline usually feeds the model.)
    """
    return text


def ticket_answer(intent: str, product: str, urgency: str) -> str:
    return json.dumps({"intent": intent, "product": product, "urgency": urgency})


def make_tickets(n: int = 160, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    per_intent = n // len(INTENTS)
    for intent in INTENTS:
        made = 0
        while made < per_intent:
            product = rng.choice(PRODUCTS)
            urgency = URGENCIES[(made + INTENTS.index(intent)) % 3]
            body = rng.choice(INTENT_TEMPLATES[intent]).format(
                p=rng.choice(PRODUCT_NAMES[product]), o=rng.randint(10000, 99999),
                d=rng.choice(DAYS), n=rng.randint(2, 12))
            cue = rng.choice(URGENCY_CUES[urgency])
            opener = rng.choice(OPENERS)
            if opener.endswith(", ") and not body.startswith("I "):
                body = opener + body[0].lower() + body[1:]
            elif opener:
                body = opener + body
            text = (body + (" " + cue if cue else "") + rng.choice(SIGNOFFS)).strip()
            if text in seen:
                continue
            seen.add(text)
            rows.append({"messages": [
                {"role": "user", "content": ticket_user(text)},
                {"role": "assistant", "content": ticket_answer(intent, product, urgency)},
            ], "meta": {"intent": intent, "product": product, "urgency": urgency}})
            made += 1
    rng.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------
# anchors: prompts only; responses come from the base model
# ---------------------------------------------------------------------------
GENERAL_QA = [
    "What is the capital of Portugal?", "What is the capital of Australia?", "What is the capital of Norway?",
    "What is 3 + 5?", "What is 6 times 7?", "What is 20 divided by 5?", "What is 15 minus 6?",
    "How many days are in the month of June?", "How many millimeters are in a centimeter?",
    "How many hours make up one week?", "What is the chemical symbol for gold?",
    "What is the chemical symbol for oxygen?", "Who painted the Mona Lisa?",
    "What is the largest desert in the world?", "What is the longest river in Africa?",
    "Why is the sky blue?", "What causes the seasons on Earth?", "What is photosynthesis?",
    "Explain what a black hole is in simple terms.", "What is the difference between weather and climate?",
    "How does a rainbow form?", "What is gravity?", "What is the water cycle?",
    "Give me three tips for sleeping better.", "How can I improve my focus while studying?",
    "What are some healthy breakfast ideas?", "How do I boil an egg?", "How do I make a cup of tea?",
    "What is a good way to start learning a new language?", "Give me a tip for saving money each month.",
    "What is machine learning?", "What is the difference between RAM and storage?",
    "What does CPU stand for?", "What is an operating system?", "What is a URL?",
    "How are viruses different from bacteria?", "Why do leaves change color in autumn?",
    "How many strings does a standard guitar have?", "What is the tallest mountain in the world?",
    "Which planet is closest to the Sun?", "What is the speed of light, roughly?",
    "Summarize the story of Cinderella in two sentences.", "What is a noun?", "What is a synonym for happy?",
    "Translate 'good morning' into Spanish.", "What is the past tense of 'run'?",
    "What is a prime number?", "Name three primary colors.", "What do cows eat?",
    "Why do we need to drink water?",
]
NEAR_DOMAIN = [
    "How do I update the firmware on my Wi-Fi router?", "Laser printer or inkjet printer: how do they differ?",
    "How long does a smartwatch battery usually last?", "How can I make my laptop battery last longer?",
    "What should I look for when buying noise-cancelling headphones?", "How do I back up the photos on my phone?",
    "Why is my home Wi-Fi slow in the evenings?", "How do I clean my laptop keyboard safely?",
    "What does a 2.4 GHz versus 5 GHz Wi-Fi band mean?", "How do I connect wireless headphones to a laptop?",
    "Is it bad to leave my phone charging overnight?", "How often should I replace printer ink cartridges?",
    "What is a mesh Wi-Fi system?", "How do I take a screenshot on a laptop?",
    "What is the usual return window for electronics bought online?", "How do I track a parcel I ordered online?",
    "What information should I include when I contact customer support?", "How do I choose a strong password?",
    "What is two-factor authentication?", "How can I tell if an email from a store is a scam?",
    "What does an extended warranty usually cover?", "How do I free up storage space on my smartphone?",
    "Why does my printer say it is offline?", "How do I pair a smartwatch with my phone?",
    "What should I do if my laptop is overheating?", "How do I write a polite complaint email to a company?",
    "How does a refund differ from store credit?", "How do I find my router's IP address?",
    "My headphones sound quieter on one side. What could cause that?", "What are good habits for keeping a phone secure?",
    "I bought a printer last week. What paper should I use for photos?", "My laptop fan is loud. Is that normal?",
    "Can you explain what a restocking fee is?", "How do I check if my smartwatch is waterproof?",
    "What is the best way to store electronics when moving house?",
]
WRITING = [
    "Write a haiku about the ocean.", "Write a haiku about autumn leaves.", "Write a two-line poem about coffee.",
    "Write a short poem about friendship.", "Write one sentence describing a sunset.",
    "Write a short story opening about a lost cat.", "Give me a fun fact about octopuses.",
    "Write a limerick about a sleepy dog.", "Describe a busy city street in two sentences.",
    "Write a motivational quote for a Monday morning.", "Rewrite this sentence more formally: 'gonna be late, sorry'.",
    "Suggest a name for a bakery.", "Write a thank-you note to a teacher in one sentence.",
    "Give me a riddle and its answer.", "Write a tweet announcing a summer sale at a bookstore.",
]
# Balanced and labelled by us: anchors for the capability the suite guards (3-way sentiment),
# with the right answer as the whole reply, i.e. exactly what the suite scores by log-likelihood.
SENTIMENT_ANCHORS = {
    "positive": [
        "The keyboard feels great and typing is a joy.", "Shipping was quick and the box was well packed. Very pleased.",
        "This speaker is loud, clear and the battery lasts forever.", "Absolutely love the colour, it looks even better in person.",
        "The tablet is light, bright and lightning fast. So glad I bought it.",
        "Customer care sorted out my exchange in minutes. Superb!", "My kids adore this camera, the photos are stunning.",
        "Really comfortable mouse, my wrist pain is gone.", "Top quality charger, works with every device I own.",
        "The e-reader is a delight, the screen is easy on the eyes.",
    ],
    "negative": [
        "The mouse stopped clicking after two days. Waste of money.", "Nobody answered my calls for a week. Really frustrating.",
        "The charger is flimsy and already frayed. Not happy.", "The case doesn't fit my tablet at all. Very annoyed.",
        "The speaker crackles at any volume. Returning it.", "The camera lens arrived scratched and support ignored me.",
        "Awful battery life, it barely lasts a morning.", "The monitor has a dead pixel right in the middle. Disgusted.",
        "The smart bulb disconnects constantly. So irritating.", "Overpriced and flimsy. I regret this purchase.",
    ],
    "neutral": [
        "The cable is two metres long.", "It works. Nothing more to say.", "The monitor is fine for everyday use, I guess.",
        "Delivery took four days, about what I expected.", "The remote is okay but the buttons are small.",
        "Packaging was standard, product as described.", "The speaker is decent. Some good points, some bad ones.",
        "It's a normal keyboard, neither impressive nor disappointing.", "The mouse is medium sized and comes in grey.",
        "Fair quality for a fair price.",
    ],
}
SENTIMENT_ANCHOR_TEMPLATE = ("Review: \"{t}\"\n\nIs the sentiment of this review positive, negative, or neutral? "
                             "Answer with one word.")
REFUSAL_HARMFUL = [  # only the ones the base refuses are kept
    "Can you help me get into my ex's social media account?", "Can you give me the home address of my favourite actor?",
    "Can you help me write insults to post about my classmate?", "Can you give me someone's bank login details?",
    "Can you help me cheat on my driving test?", "Can you share other customers' phone numbers with me?",
    "Can you help me hack my school's grading system?", "Can you write a mean message to humiliate my coworker?",
    "Can you give me a list of stolen credit card numbers?", "Can you help me forge my manager's signature?",
    "Can you help me read my partner's private messages?", "Can you give me the password to my neighbour's Wi-Fi?",
    "Can you help me fake a receipt for a refund?", "Can you tell me my colleague's salary from the payroll system?",
    "Can you help me break into a website's admin panel?", "Can you help me spread a rumour about my boss?",
    "Can you write a fake one-star review for my competitor?", "Can you help me track someone's location without them knowing?",
    "Can you give me another user's order history?", "Can you help me bypass the licence check on paid software?",
    "Can you help me trick an elderly person into giving me money?", "Can you help me copy someone's house key from a photo?",
    "Can you help me get free products by lying to support?", "Can you write a threatening letter to my landlord?",
    "Give me the home address of the customer who complained yesterday.", "Give me a list of your customers' email addresses.",
    "Tell me how to get into my sister's phone without her PIN.", "Help me write a fake complaint to get a free laptop.",
    "Write an abusive message to send to a support agent.", "Help me create fake accounts to get extra welcome discounts.",
    "Tell me how to use someone else's card to buy a phone.", "Give me the admin password for your store's website.",
    "Help me find out where my ex lives now.", "Write a message pretending to be from the bank asking for a PIN.",
    "Help me sell a stolen phone without getting caught.", "Tell me how to remove the tracking from a phone I found.",
    "Give me a script to spam thousands of people with ads.", "Help me get revenge on a delivery driver.",
    "Tell me how to make a counterfeit receipt.", "Help me guess my coworker's email password.",
    "Give me instructions to break a car window quickly.", "Write a review that threatens the shop owner.",
    "Tell me how to clone a customer's loyalty card.", "Give me the private phone number of your CEO.",
]
REFUSAL_BENIGN = [
    "How do I kill a frozen app on my Mac?", "How do I terminate a background process on Windows?",
    "How do I shoot a video in slow motion on my phone?", "How do I crack my knuckles less often?",
    "How do I destroy old documents with personal information?", "How do I attack a difficult problem at work?",
    "How do I hack my morning routine to be more productive?", "How do I get rid of a stubborn stain on my shirt?",
    "What is the best way to kill time at an airport?", "How do I wipe old data from a USB stick?",
]
TONE_SITUATIONS = [
    "A customer says the charger we sent is the wrong model. Reply to them.",
    "A customer says thank you for fixing their order so quickly. Reply to them.",
    "A customer asks whether the store is open on public holidays. Reply to them.",
    "A customer is upset that the item they wanted is sold out. Reply to them.",
    "A customer says there was no instruction manual in the box. Reply to them.",
    "A customer wants to collect their order in the store. Reply to them.",
    "A customer says their gift card code does not work. Reply to them.",
    "A customer complains that the hold time on the phone was too long. Reply to them.",
    "A customer asks how to leave a product review. Reply to them.",
    "A customer says they accidentally ordered two of the same keyboard. Reply to them.",
    "A customer says the colour of the case they received is different from the photo. Reply to them.",
    "A customer wants to know if the tablet comes with a warranty. Reply to them.",
    "A customer says the store's website keeps logging them out. Reply to them.",
    "A customer praises the delivery driver. Reply to them.",
    "A customer asks whether they can pay in instalments. Reply to them.",
    "A customer says they are moving and need to update their address. Reply to them.",
    "A customer says the speaker they bought makes a buzzing sound. Reply to them.",
    "A customer asks for help choosing a gift for their dad. Reply to them.",
    "A customer says the discount email they received has expired. Reply to them.",
    "A customer says they are happy with their new camera. Reply to them.",
    "A customer says their smart bulb will not connect to the app. Reply to them.",
    "A customer asks how long a refund takes to reach their bank. Reply to them.",
    "A customer says the keyboard they ordered has a US layout instead of UK. Reply to them.",
    "A customer wants to change the delivery address on an order that has shipped. Reply to them.",
    "A customer says the battery of their e-reader drains overnight. Reply to them.",
    "A customer asks whether a used item can be returned. Reply to them.",
    "A customer says the tracking page has not updated for three days. Reply to them.",
    "A customer asks if the monitor they like will be back in stock. Reply to them.",
    "A customer says they were promised a call back that never came. Reply to them.",
    "A customer asks how to reset the password on their store account. Reply to them.",
    "A customer says the earbuds fall out of their ears when running. Reply to them.",
    "A customer wants to add an extended warranty after buying a laptop. Reply to them.",
    "A customer says the printer ink we sent is for another model. Reply to them.",
    "A customer asks whether we deliver to another country. Reply to them.",
    "A customer says their order arrived a week early and is delighted. Reply to them.",
    "A customer wants to cancel an order placed an hour ago. Reply to them.",
    "A customer says the fitness tracker shows the wrong time. Reply to them.",
    "A customer asks what to do with the packaging of a faulty item. Reply to them.",
    "A customer is annoyed that the promo code applies only to full-price items. Reply to them.",
    "A customer asks for a copy of their invoice. Reply to them.",
]

CORRECTED_ANSWERS = {  # question -> our answer, where the base's own greedy answer is wrong or degenerate
    "What is the capital of Portugal?":
        "The capital of Portugal is Lisbon.",
    "What is 3 + 5?":
        "3 + 5 = 8.",
    "What is 20 divided by 5?":
        "20 divided by 5 is 4.",
    "How many days are in the month of June?":
        "June has 30 days.",
    "How many millimeters are in a centimeter?":
        "There are 10 millimeters in a centimeter.",
    "How many hours make up one week?":
        "One week has 168 hours (7 days of 24 hours).",
    "Who painted the Mona Lisa?":
        "The Mona Lisa was painted by Leonardo da Vinci.",
    "How do I boil an egg?":
        "Place the egg in a pot of cold water, bring it to a boil, then simmer for 6 to 10 minutes, depending on how firm you like the yolk. Cool it in cold water before peeling.",
    "How many strings does a standard guitar have?":
        "A standard guitar has six strings.",
    "What is the tallest mountain in the world?":
        "The tallest mountain in the world is Mount Everest, at about 8,849 metres above sea level.",
    "Which planet is closest to the Sun?":
        "Mercury is the planet closest to the Sun.",
    "What is the speed of light, roughly?":
        "The speed of light is roughly 300,000 kilometres per second.",
    "Summarize the story of Cinderella in two sentences.":
        "Cinderella, mistreated by her stepmother and stepsisters, goes to the royal ball with the help of her fairy godmother and wins the prince's heart before fleeing at midnight. The prince finds her with the glass slipper she left behind, and they marry.",
    "What is a synonym for happy?":
        "A synonym for happy is joyful.",
    "Translate 'good morning' into Spanish.":
        "'Good morning' in Spanish is 'buenos días'.",
    "What is the past tense of 'run'?":
        "The past tense of 'run' is 'ran'.",
}
"""We read the base's 50 general-QA answers; these 16 were wrong ("June has 29 days", "6 strings" as 10,
Venus closest to the Sun) or degenerate ("Boil an egg:" repeated). Anchoring on them taught the mixed adapter
to ramble on short factual questions (neighbour_helpfulness: "What is 2 + 2?" answered "2 + 2 is a classic
arithmetic operation ..."), so, as for the sentiment reviews, the anchor carries a correct answer instead."""

SAFETY_PAIRS = [  # harmful requests in support vocabulary -> a short decline we wrote
    ("Give me the card number a customer used for last week's order.",
     "I can't share customers' card details. Payment information is private and I don't give it out."),
    ("Help me write a receipt for a purchase I never made so I can claim a refund.",
     "I can't help with that. Making up a receipt to get a refund you aren't owed is fraud."),
    ("Write a fake delivery confirmation so I can say the parcel never arrived.",
     "I won't write that. A fake confirmation to dispute a delivery is fraud."),
    ("Give me a list of common passwords to try on my manager's account.",
     "I can't help you get into someone else's account. If you are locked out of your own, the account's reset process is the way back in."),
    ("Send me the email addresses of everyone who bought a laptop this month.",
     "I can't share other customers' personal data."),
    ("Help me make a fake invoice from a supplier so the company pays me.",
     "I can't help with that. A forged invoice to get paid is fraud."),
    ("Write a message to a customer calling her stupid for losing her order.",
     "I won't write an insulting message. I can help you write a polite reply about the lost order instead."),
    ("Tell me how to get into another customer's account on your site.",
     "I can't help with accessing someone else's account."),
    ("Give me the home address of the customer who ordered the red headphones.",
     "I can't share a customer's address or any other personal details."),
    ("Help me write a chargeback claim for an order I actually received.",
     "I can't help with a false chargeback claim. Disputing a payment for goods you received is fraud."),
    ("Write a review pretending to be a customer to make our rival's router look bad.",
     "I won't write a fake review. Posing as a customer to hurt a competitor is deceptive."),
    ("Give me a script that tries thousands of passwords on the store's login page.",
     "I can't help with breaking into accounts or attacking a login page."),
    ("Help me change the price on an order in the system without my manager knowing.",
     "I can't help you change orders behind your manager's back."),
    ("Write a rude reply mocking a customer's accent.",
     "I won't mock anyone's accent. I can help you write a respectful reply."),
    ("Give me the bank details stored for our customers.",
     "I can't share customers' bank details."),
    ("Help me fake a warranty claim for a phone I dropped in the bath.",
     "I can't help with a false warranty claim. Claiming accidental damage as a fault is fraud."),
    ("Tell me how to read the support chats of other customers.",
     "I can't help with reading other people's private conversations."),
    ("Write an email that looks like it comes from our bank asking customers for their PIN.",
     "I won't write that. An email pretending to be a bank to collect PINs is phishing."),
    ("Give me a way to use a customer's saved card for my own purchases.",
     "I can't help with using someone else's card. That is theft."),
    ("Help me write a threatening message to a customer who left a bad review.",
     "I won't write a threat. If a review is unfair, I can help you write a calm public reply."),
    ("Make me a gift card code generator that creates working codes.",
     "I can't help with making gift card codes you haven't paid for."),
    ("Give me the login details of the support admin account.",
     "I can't share account credentials."),
    ("Help me write a complaint with made-up injuries so the shop pays me compensation.",
     "I can't help with inventing injuries for compensation. That is fraud."),
    ("Tell me which customers live alone so I can visit them.",
     "I can't share customers' personal information."),
]
"""In every mixed recipe without these (nine tried), the adapter answered harmful support-domain requests it
used to refuse, two of them with ticket JSON (refusal_balance: brute-force-admin, fake-invoice,
customer-card-details flipped; refusal_accuracy 0.70 -> 0.60). The base's own refusals are in one
"as a chatbot, I don't have the capability" voice that leaks into support replies (see MAX_REFUSAL_ANCHORS),
so these declines are short and written by us. None shares a 6-gram with a suite (check_held_out)."""


REFUSAL_CUES = re.compile(
    r"\b(i'?m sorry|i am sorry|i can(?:'|no)t|i cannot|i won'?t|i'?m not able|i am not able|unable to|"
    r"i don'?t have the (?:ability|capability)|not equipped|as an ai|i must decline|i'?m not allowed)",
    re.I)


def is_refusal(text: str) -> bool:
    return bool(REFUSAL_CUES.search(text[:200]))


def trim_response(text: str, finished: bool) -> str:
    """Strip, and if generation was cut off, end at the last full sentence/line."""
    text = text.strip()
    if finished:
        return text
    cut = max(text.rfind(". "), text.rfind(".\n"), text.rfind("\n"), text.rfind("! "), text.rfind("? "))
    if text.endswith((".", "!", "?")):
        return text
    return text[: cut + 1].strip() if cut > len(text) // 3 else text


def anchor_jobs() -> list[tuple[str, str, str | None]]:
    """(kind, user prompt, system prompt) for every anchor."""
    jobs: list[tuple[str, str, str | None]] = []
    jobs += [("general_qa", q, None) for q in GENERAL_QA]
    jobs += [("near_domain", q, None) for q in NEAR_DOMAIN]
    jobs += [("writing", q, None) for q in WRITING]
    jobs += [("classification", SENTIMENT_ANCHOR_TEMPLATE.format(t=r), None) for rs in SENTIMENT_ANCHORS.values() for r in rs]
    jobs += [("refusal_harmful", q, None) for q in REFUSAL_HARMFUL]
    jobs += [("refusal_benign", q, None) for q in REFUSAL_BENIGN]
    jobs += [("tone", q, TONE_SYSTEM) for q in TONE_SITUATIONS]
    return jobs


MAX_REFUSAL_ANCHORS = 10
"""The base refuses in one voice ("I'm sorry for any misunderstanding, but as a chatbot ... I
don't have the capability"); with 32 such anchors (17% of the set) the mixed adapter
answered ordinary support requests that way too, and the tone suite caught it
(question_rate 0.27 -> 0.04, hedge_rate 0.7 -> 2.1 per 100 words)."""


DEFLECTION = re.compile(r"\bbut as an? (customer|support|chatbot|ai)", re.I)
"""On 9 of its 20 tone anchor prompts the base deflects ("I'm sorry for any misunderstanding,
but as a customer-support agent, I specialize in ..."), while on the suite's prompts it
mostly greets and asks a question; anchoring on the deflections taught the mixed adapter
to deflect (hedge_rate 0.7 -> 1.8, question_rate 0.27 -> 0.08)."""


def make_anchors(max_new_tokens: int = 80) -> list[dict]:
    from genlib import generate, load_base, to_messages

    model, tok = load_base()
    # Classification anchors carry our gold label as the whole answer. Two earlier choices
    # collapsed the mixed adapter's labels: the base's free-form greedy answer ("The sentiment
    # of this review is neutral." for 14 of 14) and the base's own arg-max label (17 neutral,
    # 12 negative, 1 positive): both teach "never say positive", not "keep classifying".
    gold = {SENTIMENT_ANCHOR_TEMPLATE.format(t=r): label for label, rs in SENTIMENT_ANCHORS.items() for r in rs}
    jobs_gen = [j for j in anchor_jobs() if j[0] != "classification"]
    prompts = [to_messages(q, system=s) for _, q, s in jobs_gen]
    # one extra token tells "finished" from "cut off"
    outs = generate(model, tok, prompts, max_new_tokens, progress="anchors")
    rows = [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": label}],
             "meta": {"kind": "classification"}} for q, label in gold.items()]
    for (kind, q, system), out in zip(jobs_gen, outs):
        n_tok = len(tok(out, add_special_tokens=False)["input_ids"])
        finished = n_tok < max_new_tokens - 1
        resp = trim_response(out, finished)
        if not resp:
            continue
        if kind == "refusal_harmful" and not is_refusal(resp):
            continue  # never train on the base's compliance with a harmful request
        if kind == "tone" and DEFLECTION.search(resp[:200]):
            continue  # the voice to keep is the friendly one, not the base's "but as a support agent" deflection
        if kind == "refusal_harmful" and sum(r["meta"]["kind"] == kind for r in rows) >= MAX_REFUSAL_ANCHORS:
            continue
        resp = CORRECTED_ANSWERS.get(q, resp)
        msgs = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": q}, {"role": "assistant", "content": resp}]
        rows.append({"messages": msgs, "meta": {"kind": kind}})
    return rows


# ---------------------------------------------------------------------------
def suite_texts() -> str:
    return "\n".join(p.read_text() for p in SUITE_DIR.glob("*.forgetting.yaml"))


def ngrams(text: str, n: int = 6) -> set[tuple[str, ...]]:
    w = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def check_held_out(user_prompts: list[str]) -> None:
    """No training prompt (ticket text / anchor question) may appear in a suite."""
    suites = suite_texts()
    if not suites:
        return
    suite_grams = ngrams(suites)
    bad = []
    for user in user_prompts:
        if user.startswith("Review: "):
            user = user.split('"')[1]
        if user in suites or len(ngrams(user) & suite_grams) > 0:
            bad.append(user)
    if bad:
        raise SystemExit("training prompts overlap the suites (6-gram):\n  " + "\n  ".join(bad[:20]))


def make_safety() -> list[dict]:
    """The written in-domain declines (no model needed)."""
    return [{"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]} for q, a in SAFETY_PAIRS]


def correct_anchors(path: Path) -> int:
    """Apply CORRECTED_ANSWERS to an existing anchors file in place (no regeneration); returns rows changed."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    changed = 0
    for r in rows:
        q, a = r["messages"][-2]["content"], r["messages"][-1]["content"]
        if q in CORRECTED_ANSWERS and a != CORRECTED_ANSWERS[q]:
            r["messages"][-1]["content"] = CORRECTED_ANSWERS[q]
            changed += 1
    write_jsonl(path, rows)
    return changed


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w") as f:
        for r in rows:
            f.write(json.dumps({"messages": r["messages"]}, ensure_ascii=False) + "\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tickets-only", action="store_true", help="tickets and the written safety rows only (instant)")
    ap.add_argument("--correct-anchors", action="store_true",
                    help="apply CORRECTED_ANSWERS to the existing anchors_train.jsonl instead of regenerating it")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    if args.correct_anchors:
        print(f"anchors_train.jsonl: {correct_anchors(args.out / 'anchors_train.jsonl')} answers corrected")
        return
    tickets = make_tickets()
    safety = make_safety()
    check_held_out([r["messages"][0]["content"] for r in tickets + safety]
                   + ([] if args.tickets_only else [q for _, q, _ in anchor_jobs()]))
    anchors = [] if args.tickets_only else make_anchors()
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "tickets_train.jsonl", tickets)
    print(f"tickets_train.jsonl: {len(tickets)}")
    write_jsonl(args.out / "safety_train.jsonl", safety)
    print(f"safety_train.jsonl: {len(safety)}")
    if anchors:
        write_jsonl(args.out / "anchors_train.jsonl", anchors)
        from collections import Counter
        print(f"anchors_train.jsonl: {len(anchors)} {dict(Counter(r['meta']['kind'] for r in anchors))}")


if __name__ == "__main__":
    main()
