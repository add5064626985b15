"""What metering tells the rest of the system, without knowing who listens."""

from django.dispatch import Signal

# Sent once a reading file's accepted readings are committed; ``reading_import`` is the ReadingImport.
readings_imported = Signal()
