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
        "why_footer": "You receive this digest as a member of the {cluster} network.",
        "default_subject": "Your weekly digest",
        "default_preheader": "Thought leadership on digital transformation, picked for you",
        "digest": "Digest",
        "why_pick": "Why you see this",
        "imprint": "Imprint",
        "all_issues": "All issues",
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
        "why_footer": "Sie erhalten diesen Überblick als Mitglied des Netzwerks {cluster}.",
        "default_subject": "Ihr Wochenüberblick",
        "default_preheader": "Thought Leadership zur digitalen Transformation, für Sie ausgewählt",
        "digest": "Überblick",
        "why_pick": "Warum Sie das sehen",
        "imprint": "Impressum",
        "all_issues": "Alle Ausgaben",
    },
}
"""The fixed texts of the email templates, by language."""

EXPLANATIONS: dict[str, dict[str, str]] = {
    "because": {"en": "Because {a}", "de": "Weil {a}"},
    "because2": {"en": "Because {a} and {b}", "de": "Weil {a} und {b}"},
    "pinned": {"en": "Recommended by the editors", "de": "Von der Redaktion empfohlen"},
    "boosted": {"en": "Boosted by the editors", "de": "Von der Redaktion hervorgehoben"},
    "boosted_note": {"en": "Boosted by the editors: {note}", "de": "Von der Redaktion hervorgehoben: {note}"},
    "follow": {"en": "you follow {area}", "de": "Sie {area} folgen"},
    "read_area": {"en": "you often read about {area}", "de": "Sie oft Beiträge zu {area} lesen"},
    "interest": {"en": "you read about {area}", "de": "Sie über {area} gelesen haben"},
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


SEGMENT_NAMES: dict[str, dict[str, str]] = {
    "everyone": {"en": "All members", "de": "Alle Mitglieder"},
    "club": {"en": "{name}", "de": "{name}"},
    "persona": {"en": "Profile: {name}", "de": "Profil: {name}"},
    "area": {"en": "Topic: {name}", "de": "Thema: {name}"},
    "filter": {"en": "Selection: {name}", "de": "Auswahl: {name}"},
}
"""How a digest's segment is named to people (email, console, report, CLI), by segment kind and
language; ``{name}`` is the club's, persona's or area's display name, or a filter's own name."""


def segment_phrase(kind: str, lang: str, name: str = "") -> str:
    """The display name of a segment of ``kind`` in ``lang`` (English if it has none)."""
    table = SEGMENT_NAMES[kind]
    return (table.get(lang) or table["en"]).format(name=name)


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
    "nav_archive": {"en": "Digests", "de": "Überblicke"},
    "archive_title": {"en": "Digest archive", "de": "Archiv der Überblicke"},
    "archive_hint": {"en": "The digests sent to you, newest first. Each opens as your copy, with what you may see "
                           "today.",
                     "de": "Die Überblicke, die Sie erhalten haben, die neuesten zuerst. Jeder öffnet sich als Ihre "
                           "Ausgabe, mit dem, was Sie heute sehen dürfen."},
    "archive_empty": {"en": "No digest has been sent to you yet.", "de": "Bisher wurde Ihnen kein Überblick gesendet."},
    "archive_other_lang": {"en": "Deutsch", "de": "English"},
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
    "nav_search": {"en": "Search", "de": "Suche"},
    "search_title": {"en": "Search", "de": "Suche"},
    "search_label": {"en": "Search articles in German and English", "de": "Artikel auf Deutsch und Englisch suchen"},
    "search_hint": {"en": "Finds articles in both languages: an English query also finds German articles and "
                          "the other way round.",
                    "de": "Findet Artikel in beiden Sprachen: Eine deutsche Suche findet auch englische Artikel "
                          "und umgekehrt."},
    "search_results": {"en": "Results for “{q}”", "de": "Ergebnisse für „{q}“"},
    "search_none": {"en": "Nothing found. Try other or fewer words, or remove a filter.",
                    "de": "Nichts gefunden. Versuchen Sie andere oder weniger Wörter, oder entfernen Sie einen Filter."},
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
    "ed_rules": {"en": "Rules", "de": "Regeln"},
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
    # sources as OPML (the files feed readers exchange)
    "opml_title": {"en": "Sources of the DigitalCluster curator", "de": "Quellen des DigitalCluster-Kurators"},
    "opml_heading": {"en": "Import and export (OPML)", "de": "Import und Export (OPML)"},
    "opml_hint": {"en": "OPML is the list format of feed readers. Feeds in a folder named like a subject area "
                        "(for example \"Technology 4.0\" or \"Arbeitswelt 4.0\") get that area. Nothing is "
                        "added before you confirm the preview.",
                  "de": "OPML ist das Listenformat von Feedreadern. Feeds in einem Ordner, der wie ein "
                        "Themenbereich heißt (zum Beispiel „Technologie 4.0“ oder „Working environment 4.0“), "
                        "erhalten diesen Bereich. Hinzugefügt wird erst, wenn Sie die Vorschau bestätigen."},
    "opml_download": {"en": "Download all sources as OPML", "de": "Alle Quellen als OPML herunterladen"},
    "opml_file": {"en": "OPML file", "de": "OPML-Datei"},
    "opml_preview": {"en": "Preview the import", "de": "Import prüfen"},
    "opml_preview_title": {"en": "Import preview", "de": "Import-Vorschau"},
    "opml_preview_hint": {"en": "Nothing has been added yet. Confirm to add the feeds marked \"will be added\".",
                          "de": "Noch ist nichts hinzugefügt. Bestätigen Sie, um die mit „wird hinzugefügt“ "
                                "markierten Feeds aufzunehmen."},
    "opml_confirm": {"en": "Add these sources", "de": "Diese Quellen hinzufügen"},
    "opml_cancel": {"en": "Back to the sources", "de": "Zurück zu den Quellen"},
    "opml_no_file": {"en": "Choose an OPML file first.", "de": "Bitte zuerst eine OPML-Datei auswählen."},
    "opml_nothing_new": {"en": "Nothing to add: every feed of the file is already a source or refused.",
                         "de": "Nichts hinzuzufügen: jeder Feed der Datei ist schon eine Quelle oder abgelehnt."},
    "opml_line": {"en": "Line", "de": "Zeile"},
    "opml_outcome": {"en": "Result", "de": "Ergebnis"},
    "opml_would_added": {"en": "will be added", "de": "wird hinzugefügt"},
    "opml_added": {"en": "added", "de": "hinzugefügt"},
    "opml_exists": {"en": "already there", "de": "schon vorhanden"},
    "opml_rejected": {"en": "refused", "de": "abgelehnt"},
    "opml_done": {"en": "Import finished: {added} added, {exists} already there, {rejected} refused.",
                  "de": "Import abgeschlossen: {added} hinzugefügt, {exists} schon vorhanden, {rejected} abgelehnt."},
    "correct": {"en": "Correct areas", "de": "Bereiche korrigieren"},
    "ed_teach": {"en": "Teach the tagger", "de": "Tagger anlernen"},
    "teach_intro": {"en": "Items of the last {days} days whose correction would teach the tagger most: it "
                          "hesitates between two areas, and none of them is a near copy of another or of an "
                          "item already corrected. Confirm the areas with one click or change them first.",
                    "de": "Artikel der letzten {days} Tage, deren Korrektur dem Tagger am meisten beibringt: "
                          "er schwankt zwischen zwei Bereichen, und keiner ist eine Beinahe-Kopie eines anderen "
                          "oder eines schon korrigierten Artikels. Bestätigen Sie die Bereiche mit einem Klick "
                          "oder ändern Sie sie vorher."},
    "teach_none": {"en": "Nothing to teach right now: every recent tagged item is corrected or clear.",
                   "de": "Gerade nichts anzulernen: jeder neue getaggte Artikel ist korrigiert oder eindeutig."},
    "teach_primary": {"en": "Main area", "de": "Hauptbereich"},
    "teach_also": {"en": "Also", "de": "Außerdem"},
    "teach_no_area": {"en": "No area", "de": "Kein Bereich"},
    "teach_confirm": {"en": "Confirm / save", "de": "Bestätigen / speichern"},
    "teach_scores": {"en": "Tagger's scores", "de": "Werte des Taggers"},
    "teach_secondary_note": {"en": "* Ticked further areas come from the first of the tagger's two models alone, "
                                   "which sees a second area more often. The scores are both models' joint "
                                   "reading, so a ticked area can have a low score.",
                             "de": "* Angehakte weitere Bereiche stammen allein vom ersten der beiden Modelle des "
                                   "Taggers, das öfter einen zweiten Bereich erkennt. Die Werte sind die gemeinsame "
                                   "Einschätzung beider Modelle, daher kann ein angehakter Bereich einen niedrigen "
                                   "Wert haben."},
    "accept": {"en": "Accept", "de": "Annehmen"},
    "items_per_area": {"en": "Items per area and week", "de": "Artikel je Bereich und Woche"},
    "engagement_per_area": {"en": "Engagement per area and week", "de": "Resonanz je Bereich und Woche"},
    "engagement_per_segment": {"en": "Engagement per persona and area", "de": "Resonanz je Persona und Bereich"},
    "topics_title": {"en": "Topics of the last {days} days", "de": "Themen der letzten {days} Tage"},
    "topics_intro": {"en": "Topics found in the items of the last {days} days, compared with the {days} days "
                           "before. Rising or falling is marked only where the change passes the significance "
                           "test (docs/trends.md).",
                     "de": "Themen in den Beiträgen der letzten {days} Tage, verglichen mit den {days} Tagen davor. "
                           "Steigend oder fallend steht nur dort, wo die Veränderung den Signifikanztest "
                           "besteht (docs/trends.md)."},
    "topics_none": {"en": "No topic trends computed yet: the worker's job computes them daily "
                          "(`curator trends --refresh` now).",
                    "de": "Noch keine Themen-Trends berechnet: der Worker berechnet sie täglich "
                          "(`curator trends --refresh` sofort)."},
    "topics_computed": {"en": "Computed {at} from {current} items (previous period: {previous}).",
                        "de": "Berechnet {at} aus {current} Beiträgen (Vorperiode: {previous})."},
    "topic": {"en": "Topic", "de": "Thema"},
    "topic_items": {"en": "{n} items", "de": "{n} Beiträge"},
    "topic_now": {"en": "Now", "de": "Jetzt"},
    "topic_before": {"en": "Before", "de": "Davor"},
    "topic_change": {"en": "Change", "de": "Veränderung"},
    "topic_examples": {"en": "Examples", "de": "Beispiele"},
    "topic_segments": {"en": "Who engages", "de": "Wer reagiert"},
    "rising": {"en": "rising", "de": "steigend"},
    "falling": {"en": "falling", "de": "fallend"},
    "topics_chart": {"en": "Items per topic: now and before", "de": "Beiträge je Thema: jetzt und davor"},
    "segment_club": {"en": "Clubs", "de": "Clubs"},
    "segment_persona": {"en": "Personas", "de": "Personas"},
    "segment_organisation": {"en": "Organisation types", "de": "Organisationstypen"},
    "segment_language": {"en": "Languages", "de": "Sprachen"},
    "action_read": {"en": "read", "de": "gelesen"},
    "action_rate": {"en": "rated", "de": "bewertet"},
    "action_click": {"en": "clicked", "de": "geklickt"},
    "action_other": {"en": "saved/sent", "de": "gemerkt/gesendet"},
    "role": {"en": "Role", "de": "Rolle"},
    "change": {"en": "Change", "de": "Ändern"},
    # error pages lead somewhere
    "go_back": {"en": "Back to the previous page", "de": "Zurück zur vorigen Seite"},
    "go_home": {"en": "To the start page", "de": "Zur Startseite"},
    "go_home_editor": {"en": "To the editor dashboard", "de": "Zur Redaktionsübersicht"},
    # the editor's digest workbench
    "digest_state": {"en": "State", "de": "Status"},
    "digest_revision": {"en": "revision", "de": "Version"},
    "digest_approved_by": {"en": "approved by {who} (revision {rev})", "de": "freigegeben von {who} (Version {rev})"},
    "digest_scheduled_for": {"en": "scheduled for", "de": "geplant für"},
    "digest_period": {"en": "period", "de": "Zeitraum"},
    "digest_picks": {"en": "Editor's picks, in order", "de": "Redaktionsauswahl, in Reihenfolge"},
    "digest_no_picks": {"en": "No picks yet: add articles from the candidates below.",
                        "de": "Noch keine Auswahl: Fügen Sie unten Artikel aus den Vorschlägen hinzu."},
    "digest_position": {"en": "Position", "de": "Position"},
    "digest_move": {"en": "Move to position", "de": "An Position verschieben"},
    "digest_removed": {"en": "Removed from this issue ({n})", "de": "Aus dieser Ausgabe entfernt ({n})"},
    "digest_restore": {"en": "Take back in", "de": "Wieder aufnehmen"},
    "digest_candidates": {"en": "Candidates", "de": "Vorschläge"},
    "digest_search_hint": {"en": "Search all articles, in German and English", "de": "Alle Artikel durchsuchen, "
                           "deutsch und englisch"},
    "digest_clear_search": {"en": "Show the ranked candidates", "de": "Gerankte Vorschläge zeigen"},
    "digest_search_results": {"en": "Articles found for “{q}”, best first.", "de": "Gefundene Artikel für „{q}“, "
                              "die besten zuerst."},
    "digest_ranked_hint": {"en": "Articles of this issue's period that the whole segment may read, ranked by the "
                                 "members' own feeds: what many of them rank high comes first.",
                           "de": "Artikel aus dem Zeitraum dieser Ausgabe, die das ganze Segment lesen darf, sortiert "
                                 "nach den Feeds der Mitglieder: Was viele von ihnen weit oben haben, steht vorn."},
    "digest_no_candidates": {"en": "No candidates. Try another search, area or language.",
                             "de": "Keine Vorschläge. Versuchen Sie eine andere Suche, einen anderen Bereich oder "
                                   "eine andere Sprache."},
    "digest_reach": {"en": "near the top for {n} of {of} members", "de": "weit oben bei {n} von {of} Mitgliedern"},
    "digest_texts_de": {"en": "German texts", "de": "Deutsche Texte"},
    "digest_texts_en": {"en": "English texts", "de": "Englische Texte"},
    "digest_insert_topics": {"en": "Insert topics block", "de": "Themenblock einfügen"},
    "digest_insert_topics_hint": {"en": "Appends the leading topics of the last 30 days (topic trends, rising ones "
                                        "first) to this intro and keeps what you typed above; edit the block as you "
                                        "like.",
                                  "de": "Hängt die wichtigsten Themen der letzten 30 Tage (Themen-Trends, steigende "
                                        "zuerst) an diese Einleitung an und behält, was Sie oben eingegeben haben. Den "
                                        "Block können Sie danach frei bearbeiten."},
    "digest_topics_inserted": {"en": "Topics block added to the intro.",
                               "de": "Themenblock an die Einleitung angehängt."},
    "digest_preheader": {"en": "Preheader", "de": "Vorschauzeile (Preheader)"},
    "digest_preheader_hint": {"en": "The line mail programs show after the subject.",
                              "de": "Die Zeile, die E-Mail-Programme nach dem Betreff zeigen."},
    "digest_member": {"en": "Member", "de": "Mitglied"},
    "digest_test": {"en": "Test send", "de": "Testversand"},
    "digest_test_button": {"en": "Send a test to {email}", "de": "Test an {email} senden"},
    "digest_test_hint": {"en": "The test goes through the real mail server, as a reader of this segment would get "
                               "it, with “[Test]” in the subject. It counts for nothing: not in the report, not as "
                               "shown.",
                         "de": "Der Test geht über den echten Mailserver, so wie ihn ein Leser dieses Segments bekäme, "
                               "mit „[Test]“ im Betreff. Er zählt nirgends: nicht im Bericht, nicht als gezeigt."},
    "digest_test_mark": {"en": "[Test]", "de": "[Test]"},
    "digest_test_sent": {"en": "Test sent to your address.", "de": "Test an Ihre Adresse gesendet."},
    "digest_workflow": {"en": "Approve and send", "de": "Freigeben und senden"},
    "digest_audience": {"en": "{n} recipient(s) if sent now", "de": "{n} Empfänger, wenn jetzt gesendet"},
    "digest_approve_hint": {"en": "Approval covers this revision: any later change needs a new approval.",
                            "de": "Die Freigabe gilt für diese Version: Jede spätere Änderung braucht eine neue "
                                  "Freigabe."},
    "digest_pause": {"en": "Pause sending", "de": "Versand anhalten"},
    "digest_resume": {"en": "Resume sending", "de": "Versand fortsetzen"},
    "digest_cancel": {"en": "Cancel this issue", "de": "Diese Ausgabe absagen"},
    "digest_cancel_confirm": {"en": "Yes, cancel it: it will not be sent.",
                              "de": "Ja, absagen: Sie wird nicht gesendet."},
    "digest_confirm_title": {"en": "Send this issue now?", "de": "Diese Ausgabe jetzt senden?"},
    "digest_recipients": {"en": "Recipients", "de": "Empfänger"},
    "digest_total": {"en": "Total", "de": "Gesamt"},
    "digest_confirm_box": {"en": "I have checked the issue: send it to {n} recipient(s) now.",
                           "de": "Ich habe die Ausgabe geprüft: jetzt an {n} Empfänger senden."},
    "digest_confirm_late": {"en": "Send even if the scheduled time is long past.",
                            "de": "Auch senden, wenn der geplante Zeitpunkt lange vorbei ist."},
    "digest_back": {"en": "Back to the issue", "de": "Zurück zur Ausgabe"},
    "digest_cannot_send": {"en": "This issue cannot be sent now (state: {state}). Approve it first.",
                           "de": "Diese Ausgabe kann jetzt nicht gesendet werden (Status: {state}). Geben Sie sie "
                                 "zuerst frei."},
    "confirm_needed": {"en": "Nothing was sent: tick the box to confirm.",
                       "de": "Nichts wurde gesendet: Setzen Sie das Häkchen zur Bestätigung."},
    "digest_added": {"en": "Added to the editor's picks.", "de": "Zur Redaktionsauswahl hinzugefügt."},
    "digest_scheduled": {"en": "Scheduled.", "de": "Geplant."},
    "digest_send_done": {"en": "Sending ran: the counts show the outcome.",
                         "de": "Der Versand lief: Die Zahlen zeigen das Ergebnis."},
    "digest_paused": {"en": "Sending paused.", "de": "Versand angehalten."},
    "digest_resumed": {"en": "Sending resumes with the worker's next send run.",
                       "de": "Der Versand geht mit dem nächsten Sendelauf des Workers weiter."},
    "digest_cancelled": {"en": "The issue is cancelled.", "de": "Die Ausgabe ist abgesagt."},
    "digest_not_editable": {"en": "This issue is {state}: its picks and texts can no longer change.",
                            "de": "Diese Ausgabe ist {state}: Auswahl und Texte lassen sich nicht mehr ändern."},
    "digest_no_actions": {"en": "Nothing left to do for this issue ({state}).",
                          "de": "Für diese Ausgabe ist nichts mehr zu tun ({state})."},
    # a draft's warnings (curator.types.DraftWarning: {count}, {minimum}, {days})
    "draft_warnings": {"en": "Before you approve", "de": "Vor der Freigabe"},
    "draft_few_articles": {"en": "Only {count} articles for this segment in the {days} days this issue covers; "
                                 "{minimum} would fill the editor's and the personal picks. Add articles, or "
                                 "expect fewer personal picks.",
                           "de": "Nur {count} Artikel für dieses Segment in den {days} Tagen dieser Ausgabe; "
                                 "{minimum} würden die Auswahl der Redaktion und die persönlichen Empfehlungen "
                                 "füllen. Fügen Sie Artikel hinzu oder rechnen Sie mit weniger Empfehlungen."},
    "draft_no_articles": {"en": "No articles for this segment in the {days} days this issue covers: members "
                                "would get only member posts and events. Add articles before approving.",
                          "de": "Keine Artikel für dieses Segment in den {days} Tagen dieser Ausgabe: Mitglieder "
                                "bekämen nur Mitgliederbeiträge und Veranstaltungen. Fügen Sie vor der Freigabe "
                                "Artikel hinzu."},
    # an issue's report (console and `curator digest report --lang`)
    "report_title": {"en": "Report", "de": "Bericht"},
    "report_heading": {"en": "Digest issue {issue} ({kind}) for {segment}: {state}, first sent {first_sent}",
                       "de": "Ausgabe {issue} ({kind}) für {segment}: {state}, zuerst gesendet {first_sent}"},
    "report_recipients": {"en": "recipients", "de": "Empfänger"},
    "report_sent": {"en": "sent", "de": "gesendet"},
    "report_failed": {"en": "failed", "de": "fehlgeschlagen"},
    "report_uncertain": {"en": "uncertain", "de": "unklar"},
    "report_opened": {"en": "opened (at least)", "de": "geöffnet (mindestens)"},
    "report_clicked": {"en": "clicked", "de": "geklickt"},
    "report_unsubscribed": {"en": "unsubscribed", "de": "abgemeldet"},
    "report_all": {"en": "all", "de": "alle"},
    "report_by_language": {"en": "By language", "de": "Nach Sprache"},
    "report_by_segment": {"en": "By segment (clubs the recipients are in)",
                          "de": "Nach Segment (Clubs der Empfänger)"},
    "report_lang_de": {"en": "German", "de": "Deutsch"},
    "report_lang_en": {"en": "English", "de": "Englisch"},
    "report_no_club": {"en": "in no club", "de": "in keinem Club"},
    "report_lower_bound": {"en": "Opens are a lower bound: only mail clients that load images report them. Opens and "
                                 "clicks count the {tracked} recipient(s) with tracking consent; scanners and image "
                                 "proxies ({opens} open(s), {clicks} click(s)) are not counted.",
                           "de": "Öffnungen sind eine Untergrenze: Nur E-Mail-Programme, die Bilder laden, melden sie. "
                                 "Öffnungen und Klicks zählen die {tracked} Empfänger mit Einwilligung in die Messung; "
                                 "Link-Scanner und Bild-Proxys ({opens} Öffnung(en), {clicks} Klick(s)) zählen nicht."},
    "report_most_clicked": {"en": "Most clicked", "de": "Am häufigsten geklickt"},
    "report_clicks": {"en": "clicks", "de": "Klicks"},
    "report_item": {"en": "item", "de": "Artikel"},
    "report_title_col": {"en": "title", "de": "Titel"},
    "report_areas": {"en": "Areas", "de": "Themen"},
    "report_funnel_alt": {"en": "recipients, sent, opened, clicked, unsubscribed",
                          "de": "Empfänger, gesendet, geöffnet, geklickt, abgemeldet"},
    "report_areas_alt": {"en": "clicks per area", "de": "Klicks je Thema"},
    # the feed marks what a member's digest already brought them
    "in_digest": {"en": "in your digest", "de": "in Ihrem Überblick"},
    "in_digest_title": {"en": "You got this item in an email digest.",
                        "de": "Diesen Beitrag haben Sie bereits in einem E-Mail-Überblick erhalten."},
    # editor rules: block or boost
    "rules_hint": {"en": "A rule hides (block) or lifts (boost) items in members' feeds and digest drafts, for "
                         "everyone or one segment. Test it on the last 30 days before you save it.",
                   "de": "Eine Regel blendet Beiträge in Feeds und Überblick-Entwürfen aus (sperren) oder hebt sie "
                         "hervor (verstärken), für alle oder ein Segment. Testen Sie sie vor dem Speichern an den "
                         "letzten 30 Tagen."},
    "rule_action": {"en": "Action", "de": "Aktion"},
    "rule_block": {"en": "Block (never show)", "de": "Sperren (nie zeigen)"},
    "rule_boost": {"en": "Boost (show higher)", "de": "Verstärken (weiter oben zeigen)"},
    "rule_match": {"en": "Match by", "de": "Erkennen an"},
    "rule_match_source": {"en": "Source (id)", "de": "Quelle (ID)"},
    "rule_match_keyword": {"en": "Keywords or phrases", "de": "Stichwörter oder Wendungen"},
    "rule_match_author": {"en": "Author", "de": "Autor/in"},
    "rule_match_area": {"en": "Subject area", "de": "Themenfeld"},
    "rule_pattern": {"en": "What to match", "de": "Was erkannt wird"},
    "rule_pattern_hint": {"en": "Keywords: separate words or phrases with | and write both languages "
                                "(KI|künstliche Intelligenz|artificial intelligence); whole words, any case; "
                                "Cyber* matches words starting with Cyber. Area: technology, company, work, "
                                "society or government.",
                          "de": "Stichwörter: Wörter oder Wendungen mit | trennen und beide Sprachen schreiben "
                                "(KI|künstliche Intelligenz|artificial intelligence); ganze Wörter, Groß- und "
                                "Kleinschreibung egal; Cyber* findet Wörter, die mit Cyber beginnen. Themenfeld: "
                                "technology, company, work, society oder government."},
    "rule_segment": {"en": "For whom", "de": "Für wen"},
    "rule_segment_hint": {"en": "everyone, club:<id>, persona:<id>, area:<id>, language:de or language:en",
                          "de": "everyone (alle), club:<id>, persona:<id>, area:<id>, language:de oder language:en"},
    "rule_strength": {"en": "Boost strength (0.1 to 5, default 1)", "de": "Stärke der Verstärkung (0,1 bis 5, Standard 1)"},
    "rule_note_hint": {"en": "Members see a boost's note in \"why you see this\".",
                       "de": "Mitglieder sehen die Notiz einer Verstärkung unter „Warum Sie das sehen“."},
    "rule_preview": {"en": "Test on the last 30 days", "de": "An den letzten 30 Tagen testen"},
    "rule_save": {"en": "Save rule", "de": "Regel speichern"},
    "rule_would_hide": {"en": "Would hide {matched} of {considered} items of the last {days} days for {members} of {total} members.",
                        "de": "Würde {matched} von {considered} Beiträgen der letzten {days} Tage für {members} von {total} Mitgliedern ausblenden."},
    "rule_would_lift": {"en": "Would lift {matched} of {considered} items of the last {days} days for {members} of {total} members.",
                        "de": "Würde {matched} von {considered} Beiträgen der letzten {days} Tage für {members} von {total} Mitgliedern hervorheben."},
    "rule_examples": {"en": "Newest matching items", "de": "Neueste passende Beiträge"},
    "rule_saved": {"en": "Rule saved. Feeds follow with the next ranking run; blocked items leave members' pages at once.",
                   "de": "Regel gespeichert. Die Feeds folgen mit dem nächsten Ranking-Lauf; gesperrte Beiträge "
                         "verschwinden sofort aus den Seiten der Mitglieder."},
    "rule_deleted": {"en": "Rule deleted.", "de": "Regel gelöscht."},
    "rule_list": {"en": "Rules", "de": "Regeln"},
    "rule_new": {"en": "New rule", "de": "Neue Regel"},
    "rule_on": {"en": "on", "de": "an"},
    "rule_off": {"en": "off", "de": "aus"},
    "rule_by": {"en": "by", "de": "von"},
    "delete": {"en": "Delete", "de": "Löschen"},
}


def translate(key: str, lang: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]
