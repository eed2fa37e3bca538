"""The newsletter domain: which members an issue reaches, what each of them sees, and which state
an issue may move to. Plain values in, plain values out: no database, no network, no clock.

- :mod:`.workflow`     the one transition table of an issue (used by ``curator.features.digests``
                       and by ``curator.storage``'s guarded updates), due and late-send rules
- :mod:`.segments`     ``everyone`` / ``club:`` / ``persona:`` / ``area:`` / ``filter:`` segments
- :mod:`.audience`     who gets an issue (one per mailbox, one subject per member and week) and the
                       per-member re-check at send time
- :mod:`.drafting`     which segments are drafted, the period a digest covers, starting picks,
                       a draft's warnings
- :mod:`.picks`        the member directory seam and the fallback personal picks
- :mod:`.composition`  one member's :class:`~curator.rendering.DigestView` of an issue
- :mod:`.texts`        default subject lines, summaries and date labels

Import from the modules: this package re-exports nothing, so that ``curator.storage`` can use
the workflow table without loading the email rendering.
"""
