"""Every interface string of curator in German and English: the web pages' message catalogue
(``MESSAGES``, ``translate``; a missing German text falls back to English, a missing key shows the
key, which a test catches), the fixed labels of the email digest and the phrases of a ranked
item's explanation ("why you see this").

A low module with no imports from curator, so every layer (rendering, ranking, newsletter) reads
its words from here. Subject-area names are not strings of the interface: they come from
``models/subject_areas.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES: tuple[str, ...] = ("de", "en")
"""The interface languages; any other language falls back to English."""

DIGEST_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "editor_picks": "Editor's picks",
        "personal": "Picked for you",
        "posts": "From our members",
        "events": "Upcoming events",
        "read": "Read",
        "unsubscribe": "Unsubscribe",
        "preferences": "Email preferences",
        "view_online": "View in your browser",
        "greeting": "Hello {name},",
        "areas": "Areas",
        "why_footer": "You receive this digest as a member of the DigitalCluster network.",
        "default_subject": "Your weekly digest",
        "default_preheader": "Thought leadership on digital transformation, picked for you",
    },
    "de": {
        "editor_picks": "Empfehlungen der Redaktion",
        "personal": "Für Sie ausgewählt",
        "posts": "Aus dem Netzwerk",
        "events": "Kommende Veranstaltungen",
        "read": "Lesen",
        "unsubscribe": "Abmelden",
        "preferences": "E-Mail-Einstellungen",
        "view_online": "Im Browser ansehen",
        "greeting": "Hallo {name},",
        "areas": "Themen",
        "why_footer": "Sie erhalten diesen Überblick als Mitglied des DigitalCluster-Netzwerks.",
        "default_subject": "Ihr Wochenüberblick",
        "default_preheader": "Thought Leadership zur digitalen Transformation, für Sie ausgewählt",
    },
}
"""The fixed texts of the email templates, by language."""

EXPLANATIONS: dict[str, dict[str, str]] = {
    "because": {"en": "Because {a}", "de": "Weil {a}"},
    "because2": {"en": "Because {a} and {b}", "de": "Weil {a} und {b}"},
    "pinned": {"en": "Recommended by the editors", "de": "Von der Redaktion empfohlen"},
    "follow": {"en": "you follow {area}", "de": "Sie {area} folgen"},
    "read_area": {"en": "you often read about {area}", "de": "Sie oft Beiträge zu {area} lesen"},
    "rated": {"en": "you rated '{title}' highly", "de": "Sie '{title}' gut bewertet haben"},
    "liked": {"en": "you liked '{title}'", "de": "Ihnen '{title}' gefallen hat"},
    "interests": {"en": "it matches your interests", "de": "es zu Ihren Interessen passt"},
    "persona": {"en": "it suits the profile '{persona}'", "de": "es zum Profil '{persona}' passt"},
    "popularity": {"en": "members with similar interests liked it",
                   "de": "Mitglieder mit ähnlichen Interessen es geschätzt haben"},
    "freshness": {"en": "it is new", "de": "es neu ist"},
    "quality": {"en": "its source is well rated", "de": "seine Quelle gut bewertet wird"},
    "fallback": {"en": "it is among the most relevant new items", "de": "es zu den relevantesten neuen Beiträgen gehört"},
}
"""The phrases of an explanation, by key and language; ``{…}`` fields are filled by the caller."""


def digest_labels(lang: str) -> dict[str, str]:
    """The email template labels in ``lang``, English for any other language."""
    return DIGEST_LABELS.get(lang, DIGEST_LABELS["en"])


def explanation(key: str, lang: str, **fields: str) -> str:
    """The explanation phrase ``key`` in ``lang`` (English if it has none), with ``fields`` filled."""
    table = EXPLANATIONS[key]
    return (table.get(lang) or table["en"]).format(**fields)


def area_display_name(names: Mapping[str, Mapping[str, str]], area: str, lang: str) -> str:
    """The display name of ``area`` in ``lang`` from ``names`` (``{area: {lang: name}}``, as the
    area model of models/subject_areas.yaml gives them); English, then the id, as fallbacks."""
    found = names.get(area, {})
    return found.get(lang) or found.get("en") or area


# --------------------------------------------------------------------------- web pages

LANGS = ("en", "de")
"""The languages of the web pages, in the order the language switch shows them."""

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"en": "DigitalCluster member area", "de": "DigitalCluster Mitgliederbereich"},
    "skip": {"en": "Skip to content", "de": "Zum Inhalt"},
    "nav_feed": {"en": "My feed", "de": "Mein Feed"},
    "nav_browse": {"en": "Browse", "de": "Stöbern"},
    "nav_saved": {"en": "Saved", "de": "Gemerkt"},
    "nav_post": {"en": "Write a post", "de": "Beitrag schreiben"},
    "nav_prefs": {"en": "Preferences", "de": "Einstellungen"},
    "nav_data": {"en": "My data", "de": "Meine Daten"},
    "nav_editor": {"en": "Editor", "de": "Redaktion"},
    "sign_in": {"en": "Sign in", "de": "Anmelden"},
    "sign_out": {"en": "Sign out", "de": "Abmelden"},
    "language": {"en": "Language", "de": "Sprache"},
    "switch": {"en": "Switch", "de": "Wechseln"},
    "email": {"en": "Email", "de": "E-Mail"},
    "password": {"en": "Password", "de": "Passwort"},
    "send_link": {"en": "Email me a sign-in link", "de": "Anmeldelink per E-Mail senden"},
    "or_password": {"en": "Or sign in with a password", "de": "Oder mit Passwort anmelden"},
    "link_sent": {"en": "If the address belongs to a member or an account, a sign-in link is on its way. "
                        "It works once, for 20 minutes.",
                  "de": "Wenn die Adresse zu einem Mitglied oder Konto gehört, ist ein Anmeldelink unterwegs. "
                        "Er gilt einmal, 20 Minuten lang."},
    "link_confirm": {"en": "Sign in as {email}?", "de": "Als {email} anmelden?"},
    "link_bad": {"en": "This sign-in link is not valid any more. Ask for a new one.",
                 "de": "Dieser Anmeldelink ist nicht mehr gültig. Fordern Sie einen neuen an."},
    "bad_login": {"en": "Email or password is not right, or too many attempts. Try again later or use a "
                        "sign-in link.",
                  "de": "E-Mail oder Passwort stimmt nicht, oder zu viele Versuche. Versuchen Sie es später "
                        "oder nutzen Sie einen Anmeldelink."},
    "throttled": {"en": "Too many attempts. Please wait 15 minutes.",
                  "de": "Zu viele Versuche. Bitte warten Sie 15 Minuten."},
    "welcome": {"en": "You are signed in.", "de": "Sie sind angemeldet."},
    "signed_out": {"en": "You are signed out.", "de": "Sie sind abgemeldet."},
    "feed_title": {"en": "Your feed", "de": "Ihr Feed"},
    "public_title": {"en": "News for everyone", "de": "Nachrichten für alle"},
    "public_hint": {"en": "Members get a feed tailored to their interests. Sign in to see yours.",
                    "de": "Mitglieder erhalten einen Feed nach ihren Interessen. Melden Sie sich an."},
    "registered_hint": {"en": "You see public content. The tailored feed is a benefit for members of the cluster.",
                        "de": "Sie sehen öffentliche Inhalte. Der persönliche Feed ist ein Vorteil für "
                              "Mitglieder des Clusters."},
    "why": {"en": "Why you see this", "de": "Warum Sie das sehen"},
    "all_areas": {"en": "All areas", "de": "Alle Bereiche"},
    "all_langs": {"en": "All languages", "de": "Alle Sprachen"},
    "filter": {"en": "Filter", "de": "Filtern"},
    "search": {"en": "Search", "de": "Suchen"},
    "nothing": {"en": "Nothing here yet.", "de": "Noch nichts hier."},
    "read": {"en": "Read", "de": "Lesen"},
    "original": {"en": "Original article", "de": "Originalartikel"},
    "rate": {"en": "Rate", "de": "Bewerten"},
    "save": {"en": "Save", "de": "Merken"},
    "hide": {"en": "Hide", "de": "Ausblenden"},
    "more": {"en": "More like this", "de": "Mehr davon"},
    "less": {"en": "Less like this", "de": "Weniger davon"},
    "send": {"en": "Send to a colleague", "de": "An Kollegin/Kollegen senden"},
    "thanks": {"en": "Thank you, noted.", "de": "Danke, vermerkt."},
    "send_title": {"en": "Send to a colleague", "de": "Weiterempfehlen"},
    "to": {"en": "To", "de": "An"},
    "same_org": {"en": "Your organisation", "de": "Ihre Organisation"},
    "others": {"en": "Other members", "de": "Weitere Mitglieder"},
    "note": {"en": "Note (optional)", "de": "Notiz (optional)"},
    "sent": {"en": "Sent. Your colleague gets an email.", "de": "Gesendet. Ihr Kollege erhält eine E-Mail."},
    "post_title": {"en": "Write a post", "de": "Beitrag schreiben"},
    "post_hint": {"en": "Share your thought leadership. An editor reviews it before it is published.",
                  "de": "Teilen Sie Ihre Expertise. Die Redaktion prüft den Beitrag vor der Veröffentlichung."},
    "title": {"en": "Title", "de": "Titel"},
    "text": {"en": "Text", "de": "Text"},
    "link": {"en": "Link (optional)", "de": "Link (optional)"},
    "visibility": {"en": "Who may read it", "de": "Wer darf es lesen"},
    "vis_public": {"en": "Everyone", "de": "Alle"},
    "vis_members": {"en": "Members", "de": "Mitglieder"},
    "submit": {"en": "Submit", "de": "Einreichen"},
    "post_received": {"en": "Thank you. Your post waits for an editor.",
                      "de": "Danke. Ihr Beitrag wartet auf die Redaktion."},
    "my_posts": {"en": "My posts", "de": "Meine Beiträge"},
    "status": {"en": "Status", "de": "Status"},
    "prefs_title": {"en": "Preferences", "de": "Einstellungen"},
    "areas": {"en": "Subject areas", "de": "Themenbereiche"},
    "interests": {"en": "Interests in your words", "de": "Interessen in Ihren Worten"},
    "frequency": {"en": "Digest frequency", "de": "Häufigkeit des Überblicks"},
    "freq_daily": {"en": "Daily", "de": "Täglich"},
    "freq_weekly": {"en": "Weekly", "de": "Wöchentlich"},
    "freq_monthly": {"en": "Monthly", "de": "Monatlich"},
    "freq_never": {"en": "Never", "de": "Nie"},
    "newsletter_state": {"en": "Digest and newsletters", "de": "Überblick und Newsletter"},
    "newsletter_on": {"en": "You are subscribed.", "de": "Sie sind angemeldet."},
    "newsletter_off": {"en": "You are unsubscribed: you get no digest and no newsletters.",
                       "de": "Sie sind abgemeldet: Sie erhalten keinen Überblick und keine Newsletter."},
    "newsletter_stop": {"en": "Unsubscribe", "de": "Abmelden"},
    "newsletter_subscribe": {"en": "Subscribe again", "de": "Wieder anmelden"},
    "tracking": {"en": "Use what I open and click to improve my feed (optional)",
                 "de": "Meine Klicks zur Verbesserung meines Feeds nutzen (optional)"},
    "save_prefs": {"en": "Save preferences", "de": "Einstellungen speichern"},
    "saved_ok": {"en": "Saved.", "de": "Gespeichert."},
    "clubs": {"en": "Clubs", "de": "Clubs"},
    "clubs_hint": {"en": "Clubs are granted by the editors.", "de": "Clubs vergibt die Redaktion."},
    "rss_title": {"en": "Private RSS feed", "de": "Privater RSS-Feed"},
    "rss_hint": {"en": "Your personal ranking for a feed reader. Keep the address private; renewing it "
                       "stops the old one.",
                 "de": "Ihr persönliches Ranking für einen Feedreader. Halten Sie die Adresse geheim; "
                       "eine neue Adresse stoppt die alte."},
    "rss_new": {"en": "Create a new address", "de": "Neue Adresse erzeugen"},
    "rss_revoke": {"en": "Turn the feed off", "de": "Feed abschalten"},
    "rss_none": {"en": "No private feed is active.", "de": "Kein privater Feed aktiv."},
    "data_title": {"en": "My data", "de": "Meine Daten"},
    "data_hint": {"en": "Download everything stored about you, or erase it.",
                  "de": "Laden Sie alles herunter, was über Sie gespeichert ist, oder löschen Sie es."},
    "download": {"en": "Download my data (JSON)", "de": "Meine Daten herunterladen (JSON)"},
    "erase": {"en": "Erase my data", "de": "Meine Daten löschen"},
    "erase_confirm": {"en": "Yes, erase everything about me. This cannot be undone.",
                      "de": "Ja, alles über mich löschen. Das lässt sich nicht rückgängig machen."},
    "erased": {"en": "Your data has been erased.", "de": "Ihre Daten wurden gelöscht."},
    # sending to a colleague and erasing one's data
    "erase_what": {"en": "Erasing deletes your account, your member record, your ratings, saved items, notes and "
                         "unpublished posts. Published posts stay without your name.",
                   "de": "Beim Löschen werden Ihr Konto, Ihr Mitgliedsdatensatz, Ihre Bewertungen, gemerkten "
                         "Artikel, Notizen und unveröffentlichten Beiträge entfernt. Veröffentlichte Beiträge "
                         "bleiben ohne Ihren Namen erhalten."},
    "erase_unconfirmed": {"en": "Tick the box to confirm that everything about you should be erased.",
                          "de": "Setzen Sie das Häkchen, um zu bestätigen, dass alles über Sie gelöscht werden soll."},
    "colleague_search": {"en": "Find a colleague by name", "de": "Kollegin oder Kollegen nach Namen suchen"},
    "colleague_search_hint": {"en": "Type at least two letters of the name. Only members who may read this item "
                                    "and accept recommendations are found.",
                              "de": "Geben Sie mindestens zwei Buchstaben des Namens ein. Gefunden werden nur "
                                    "Mitglieder, die diesen Artikel lesen dürfen und Empfehlungen annehmen."},
    "colleague_none": {"en": "Nobody found. Try another spelling, or type the address below.",
                       "de": "Niemand gefunden. Versuchen Sie eine andere Schreibweise oder geben Sie unten die "
                             "Adresse ein."},
    "colleague_address": {"en": "Or type the email address you know (optional)",
                          "de": "Oder geben Sie die Ihnen bekannte E-Mail-Adresse ein (optional)"},
    "send_refused": {"en": "This item cannot be sent to that person. Colleagues must be members of the cluster who "
                           "may read the item and accept recommendations.",
                     "de": "Dieser Artikel kann an diese Person nicht gesendet werden. Empfangen können ihn "
                           "Mitglieder des Clusters, die ihn lesen dürfen und Empfehlungen annehmen."},
    "send_limit": {"en": "You have sent {limit} items to colleagues today, the most one can send in a day. Please "
                         "try again tomorrow.",
                   "de": "Sie haben heute schon {limit} Artikel an Kolleginnen und Kollegen gesendet, mehr geht an "
                         "einem Tag nicht. Bitte versuchen Sie es morgen wieder."},
    "colleague_mail": {"en": "Colleagues may send me items by email (with their name and a note)",
                       "de": "Kolleginnen und Kollegen dürfen mir Artikel per E-Mail empfehlen (mit Namen und Notiz)"},
    "tokens_title": {"en": "API tokens", "de": "API-Tokens"},
    "token_name": {"en": "Name", "de": "Name"},
    "token_create": {"en": "Create token", "de": "Token erzeugen"},
    "token_once": {"en": "Copy this token now; it is shown only once:", "de": "Kopieren Sie das Token jetzt; "
                   "es wird nur einmal gezeigt:"},
    "revoke": {"en": "Revoke", "de": "Widerrufen"},
    "not_found": {"en": "Not found", "de": "Nicht gefunden"},
    "not_found_text": {"en": "There is nothing at this address, or you may not see it.",
                       "de": "Unter dieser Adresse gibt es nichts, oder Sie dürfen es nicht sehen."},
    "forbidden": {"en": "Not allowed", "de": "Nicht erlaubt"},
    "forbidden_text": {"en": "Your account may not open this page.", "de": "Ihr Konto darf diese Seite nicht öffnen."},
    "bad_request": {"en": "The form could not be accepted", "de": "Das Formular wurde nicht angenommen"},
    "bad_request_text": {"en": "The form was too old or incomplete. Go back, reload the page and try again.",
                         "de": "Das Formular war zu alt oder unvollständig. Gehen Sie zurück, laden Sie die "
                               "Seite neu und versuchen Sie es erneut."},
    "error": {"en": "Something went wrong", "de": "Etwas ist schiefgegangen"},
    "server_error_text": {"en": "The page could not be made. Try again in a moment; if it keeps happening, tell us "
                                "the request id below.",
                          "de": "Die Seite konnte nicht erstellt werden. Versuchen Sie es gleich noch einmal; "
                                "wenn es wieder geschieht, nennen Sie uns die Anfrage-ID unten."},
    "request_id": {"en": "Request id", "de": "Anfrage-ID"},
    # editor
    "ed_dashboard": {"en": "Editor dashboard", "de": "Redaktion: Übersicht"},
    "ed_posts": {"en": "Member posts", "de": "Mitgliederbeiträge"},
    "ed_digests": {"en": "Digests", "de": "Überblicke"},
    "ed_sources": {"en": "Sources", "de": "Quellen"},
    "ed_items": {"en": "Items and tags", "de": "Artikel und Themen"},
    "ed_personas": {"en": "Persona suggestions", "de": "Persona-Vorschläge"},
    "ed_trends": {"en": "Trends", "de": "Trends"},
    "ed_users": {"en": "Accounts", "de": "Konten"},
    "pending": {"en": "pending", "de": "offen"},
    "approve": {"en": "Approve", "de": "Freigeben"},
    "reject": {"en": "Reject", "de": "Ablehnen"},
    "reason": {"en": "Reason (shown to the author)", "de": "Begründung (für die Autorin/den Autor)"},
    "approved": {"en": "Approved.", "de": "Freigegeben."},
    "rejected": {"en": "Rejected.", "de": "Abgelehnt."},
    "draft_new": {"en": "Draft a digest", "de": "Überblick entwerfen"},
    "segment": {"en": "Segment", "de": "Segment"},
    "intro": {"en": "Intro", "de": "Einleitung"},
    "subject": {"en": "Subject", "de": "Betreff"},
    "pins": {"en": "Editor's picks (item ids, in order)", "de": "Redaktionsauswahl (Artikel-IDs, in Reihenfolge)"},
    "remove_ids": {"en": "Remove items (ids)", "de": "Artikel entfernen (IDs)"},
    "save_changes": {"en": "Save changes", "de": "Änderungen speichern"},
    "preview": {"en": "Preview", "de": "Vorschau"},
    "preview_as": {"en": "Preview as member, persona or club", "de": "Vorschau als Mitglied, Persona oder Club"},
    "schedule": {"en": "Schedule", "de": "Planen"},
    "send_now": {"en": "Send now", "de": "Jetzt senden"},
    "up": {"en": "Up", "de": "Hoch"},
    "down": {"en": "Down", "de": "Runter"},
    "remove": {"en": "Remove", "de": "Entfernen"},
    "add": {"en": "Add", "de": "Hinzufügen"},
    "health": {"en": "Health", "de": "Zustand"},
    "broken": {"en": "broken", "de": "gestört"},
    "disable": {"en": "Disable", "de": "Abschalten"},
    "enable": {"en": "Enable", "de": "Einschalten"},
    "add_source": {"en": "Add a source", "de": "Quelle hinzufügen"},
    # sources: who defines a source, and its health in one word
    "src_hint": {"en": "Sources added here stay until you switch them off; the feeds file (feeds.yaml) only "
                       "changes its own sources, which are shown here read-only.",
                 "de": "Hier hinzugefügte Quellen bleiben, bis Sie sie abschalten; die Quellendatei (feeds.yaml) "
                       "ändert nur ihre eigenen Quellen, die hier nur angezeigt werden."},
    "src_items": {"en": "Items", "de": "Artikel"},
    "src_in_file": {"en": "Defined in feeds.yaml: change it there.", "de": "In feeds.yaml festgelegt: dort ändern."},
    "src_origin_file": {"en": "feeds file", "de": "Quellendatei"},
    "src_origin_console": {"en": "added in the console", "de": "in der Redaktion hinzugefügt"},
    "src_origin_internal": {"en": "internal (posts, imports)", "de": "intern (Beiträge, Importe)"},
    "src_status_ok": {"en": "ok", "de": "ok"},
    "src_status_new": {"en": "not collected yet", "de": "noch nicht abgerufen"},
    "src_status_failing": {"en": "failing", "de": "fehlerhaft"},
    "src_status_broken": {"en": "broken", "de": "gestört"},
    "src_status_disabled": {"en": "switched off", "de": "abgeschaltet"},
    "src_status_retired": {"en": "no longer in the feeds file", "de": "nicht mehr in der Quellendatei"},
    "src_status_internal": {"en": "not collected", "de": "wird nicht abgerufen"},
    "correct": {"en": "Correct areas", "de": "Bereiche korrigieren"},
    "accept": {"en": "Accept", "de": "Annehmen"},
    "items_per_area": {"en": "Items per area and week", "de": "Artikel je Bereich und Woche"},
    "engagement_per_area": {"en": "Engagement per area and week", "de": "Resonanz je Bereich und Woche"},
    "engagement_per_segment": {"en": "Engagement per persona and area", "de": "Resonanz je Persona und Bereich"},
    "role": {"en": "Role", "de": "Rolle"},
    "change": {"en": "Change", "de": "Ändern"},
}


def translate(key: str, lang: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]
