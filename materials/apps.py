from django.apps import AppConfig

# How the pages name this app's events (a work order's history shows the moves made for it).
VERB_LABELS = {
    "stock.received": "Stock received",
    "stock.issued": "Material issued",
    "stock.transferred": "Material moved",
    "stock.returned": "Material returned",
    "stock.adjusted": "Stock adjusted",
    "stock.scrapped": "Stock scrapped",
    "stock.produced": "Output received into stock",
    "stock.move_reversed": "Stock move reversed",
    "expected_receipt.received": "Expected receipt received",
    "expected_receipt.cancelled": "Expected receipt cancelled",
    "expected_receipt.receipt_reversed": "Receipt against an expected receipt reversed",
}


class MaterialsConfig(AppConfig):
    name = "materials"
    verbose_name = "Materials"

    def ready(self):
        from prodcoord.events.presenters import register_verbs

        register_verbs(VERB_LABELS)
