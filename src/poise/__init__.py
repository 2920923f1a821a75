"""poise: score the professionalism of customer-service calls from their transcripts.

poise is a library first; the ``poise`` command is a thin shell over it.
Heavy dependencies (spaCy) are imported lazily so that ``poise --help`` is instant.
"""

__version__ = "0.1.0"
