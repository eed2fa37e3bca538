"""Quality measurements on labelled data: ``tagging`` (subject areas) and ``ranking``.

Modules are imported by the CLI on demand; nothing heavy is imported here."""
