"""The demo plant: a metal-working plant that makes hydraulic cylinders, belt
conveyor sections and trailer hitches. Shared by ``seed_demo`` (built through
the single-row services) and ``seed_plant`` (built through the bulk services).

Everything here is plain data and small helpers: the catalogue generator is
deterministic, so the same ``--seed`` gives the same plant.
"""

import datetime as dt
import os
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError
from django.db import connection, transaction

DEMO_PASSWORD = "prodcoord-demo"
ALLOW_ENV = "PRODCOORD_ALLOW_SEED"

# username, first name, last name, role (Django group); admin is a superuser.
DEMO_USERS = [
    ("coordinator", "Maria", "Lopez", "coordinator"),
    ("supervisor", "Dave", "Kowalski", "supervisor"),
    ("planner", "Priya", "Raman", "planner"),
    ("operator", "Tomasz", "Nowak", "operator"),
    ("viewer", "Helen", "Brooks", "viewer"),
    ("quality", "Grace", "Okafor", "quality"),
    ("materials", "Sam", "Brandt", "materials_handler"),
]
ADMIN_USERNAME = "admin"
# Floor mode's badge sign-in for the demo operators: username, badge number, PIN.
DEMO_BADGES = [("operator", "1001", "2468")]
# A wall display for these departments (its link, with a new token, is printed by seed_demo).
DEMO_DISPLAYS = [("MACH", "Machining, north wall")]

DEPARTMENTS = [
    ("MACH", "Machining"),
    ("FAB", "Fabrication & Welding"),
    ("ASSY", "Assembly & Test"),
    ("FIN", "Finishing & Paint"),
]

# code, name, department, capacity hours per shift
WORK_CENTERS = [
    ("SAW-01", "Band saw, bar and tube stock", "FAB", "7.5"),
    ("LASER-01", "Fiber laser cutter 6 kW", "FAB", "7.5"),
    ("BRAKE-01", "Press brake 220 t", "FAB", "7.5"),
    ("WELD-01", "Robotic MIG weld cell", "FAB", "7.5"),
    ("WELD-02", "Manual weld bay (2 welders)", "FAB", "15"),
    ("CNC-01", "Haas VF-4 vertical machining center", "MACH", "7.5"),
    ("CNC-02", "DMG Mori horizontal machining center", "MACH", "7.5"),
    ("LATHE-01", "Mazak QT-250 CNC lathe", "MACH", "7.5"),
    ("LATHE-02", "Okuma LB3000 CNC lathe", "MACH", "7.5"),
    ("GRIND-01", "Studer cylindrical grinder", "MACH", "7.5"),
    ("DEBURR-01", "Deburr and parts washer", "MACH", "7.5"),
    ("BLAST-01", "Shot blast cabinet", "FIN", "7.5"),
    ("PAINT-01", "Powder coat line and cure oven", "FIN", "7.5"),
    ("ASSY-01", "Cylinder assembly cell", "ASSY", "15"),
    ("ASSY-02", "Conveyor assembly line", "ASSY", "15"),
    ("TEST-01", "Hydraulic pressure test bench", "ASSY", "7.5"),
    ("PACK-01", "Pack and ship", "ASSY", "7.5"),
]

# code, name, start, end (NIGHT crosses midnight: its date is the evening it starts)
SHIFTS = [
    ("DAY", "Day shift", dt.time(6), dt.time(14)),
    ("SWING", "Swing shift", dt.time(14), dt.time(22)),
    ("NIGHT", "Night shift", dt.time(22), dt.time(6)),
]

# --- the catalogue ------------------------------------------------------------------

# sku, name, kind, uom, lead time days, safety stock
RAW_MATERIALS = [
    ("RM-BAR-C45-25", "Round bar C45 Ø25 mm", "raw", "m", 10, "60"),
    ("RM-BAR-C45-40", "Round bar C45 Ø40 mm", "raw", "m", 10, "60"),
    ("RM-BAR-C45-70", "Round bar C45 Ø70 mm", "raw", "m", 10, "30"),
    ("RM-BAR-4140-60", "Round bar 42CrMo4 QT Ø60 mm", "raw", "m", 21, "24"),
    ("RM-BAR-4140-90", "Round bar 42CrMo4 QT Ø90 mm", "raw", "m", 21, "18"),
    ("RM-ROD-CHR-25", "Induction-hardened chrome rod Ø25 mm", "raw", "m", 28, "30"),
    ("RM-ROD-CHR-36", "Induction-hardened chrome rod Ø36 mm", "raw", "m", 28, "30"),
    ("RM-ROD-CHR-45", "Induction-hardened chrome rod Ø45 mm", "raw", "m", 28, "24"),
    ("RM-TUBE-HON-50", "Honed tube E355 50×60 mm", "raw", "m", 35, "24"),
    ("RM-TUBE-HON-63", "Honed tube E355 63×75 mm", "raw", "m", 35, "24"),
    ("RM-TUBE-HON-80", "Honed tube E355 80×95 mm", "raw", "m", 35, "18"),
    ("RM-TUBE-SQ-50", "Square tube S235 50×50×3 mm", "raw", "m", 7, "120"),
    ("RM-TUBE-RECT-100", "Rectangular tube S355 100×50×4 mm", "raw", "m", 7, "80"),
    ("RM-ANGLE-40", "Angle S235 40×40×4 mm", "raw", "m", 7, "100"),
    ("RM-PLATE-S355-10", "Plate S355 10 mm", "raw", "kg", 10, "800"),
    ("RM-PLATE-S355-20", "Plate S355 20 mm", "raw", "kg", 10, "600"),
    ("RM-SHEET-DC01-2", "Cold-rolled sheet DC01 2 mm", "raw", "kg", 10, "500"),
    ("RM-SHEET-DC01-3", "Cold-rolled sheet DC01 3 mm", "raw", "kg", 10, "500"),
    ("RM-WIRE-ER70S6", "MIG wire ER70S-6 1.0 mm", "raw", "kg", 5, "150"),
    ("RM-POWDER-RAL9005", "Powder coat RAL 9005 jet black", "raw", "kg", 14, "100"),
    ("RM-POWDER-RAL2004", "Powder coat RAL 2004 pure orange", "raw", "kg", 14, "60"),
    ("RM-POWDER-RAL7035", "Powder coat RAL 7035 light grey", "raw", "kg", 14, "60"),
    ("RM-BELT-PVC-400", "PVC conveyor belt 400 mm, 2-ply", "raw", "m", 21, "50"),
    ("RM-BELT-PVC-600", "PVC conveyor belt 600 mm, 2-ply", "raw", "m", 21, "50"),
    ("RM-BELT-PVC-800", "PVC conveyor belt 800 mm, 2-ply", "raw", "m", 21, "40"),
]

PURCHASED = [
    ("PC-SEAL-KIT-50", "Seal kit, bore 50 (piston + rod + wiper)", "component", "ea", 21, "20"),
    ("PC-SEAL-KIT-63", "Seal kit, bore 63 (piston + rod + wiper)", "component", "ea", 21, "20"),
    ("PC-SEAL-KIT-80", "Seal kit, bore 80 (piston + rod + wiper)", "component", "ea", 21, "15"),
    ("PC-BRG-6205", "Ball bearing 6205-2RS", "component", "ea", 7, "50"),
    ("PC-BRG-UCP206", "Pillow block bearing UCP206", "component", "ea", 10, "30"),
    ("PC-MOTOR-075", "Helical gear motor 0.75 kW, 400 V", "component", "ea", 42, "4"),
    ("PC-MOTOR-150", "Helical gear motor 1.5 kW, 400 V", "component", "ea", 42, "4"),
    ("PC-ROLLER-400", "Idler roller Ø50 × 400 mm", "component", "ea", 14, "80"),
    ("PC-ROLLER-600", "Idler roller Ø50 × 600 mm", "component", "ea", 14, "80"),
    ("PC-ROLLER-800", "Idler roller Ø50 × 800 mm", "component", "ea", 14, "60"),
    ("PC-FIT-JIC-08", 'Port adaptor BSPP 1/2" – JIC 3/4"', "component", "ea", 7, "100"),
    ("PC-BOLT-M10X30", "Hex bolt M10×30 8.8 zinc", "component", "ea", 3, "2000"),
    ("PC-BOLT-M16X60", "Hex bolt M16×60 10.9 zinc", "component", "ea", 3, "800"),
    ("PC-NUT-M10", "Nyloc nut M10 zinc", "component", "ea", 3, "2000"),
    ("PC-GREASE-NIP", "Grease nipple M8 straight", "component", "ea", 3, "500"),
    ("PC-PIN-CLIP-12", "R-clip Ø12 for hitch pin", "component", "ea", 5, "300"),
    ("PC-NAMEPLATE", "Anodised nameplate with serial", "component", "ea", 10, "200"),
    ("PC-GUARD-MESH", "Chain guard mesh panel", "component", "ea", 14, "40"),
]

PACKAGING = [
    ("PK-CRATE-1200", "Export crate 1200×800 mm, ISPM-15", "packaging", "ea", 7, "20"),
    ("PK-PALLET-EUR", "EUR pallet 1200×800", "packaging", "ea", 3, "60"),
    ("PK-FILM-500", "Stretch film 500 mm, 23 µm", "packaging", "roll", 3, "20"),
    ("PK-BOX-600", "Carton 600×200×200 mm, double wall", "packaging", "ea", 5, "150"),
    ("PK-FOAM-END", "Foam end caps (pair)", "packaging", "ea", 5, "300"),
    ("PK-VCI-BAG", "VCI anti-corrosion bag 600×900", "packaging", "ea", 5, "300"),
]

BASE_ITEMS = RAW_MATERIALS + PURCHASED + PACKAGING

CYLINDER_BORES = [(50, "RM-TUBE-HON-50", "RM-ROD-CHR-25", "PC-SEAL-KIT-50", "RM-BAR-4140-60"),
                  (63, "RM-TUBE-HON-63", "RM-ROD-CHR-36", "PC-SEAL-KIT-63", "RM-BAR-4140-60"),
                  (80, "RM-TUBE-HON-80", "RM-ROD-CHR-45", "PC-SEAL-KIT-80", "RM-BAR-4140-90")]  # fmt: skip
CYLINDER_STROKES = [200, 300, 500]
CONVEYOR_WIDTHS = [(400, "PC-ROLLER-400", "RM-BELT-PVC-400", "PC-MOTOR-075"),
                   (600, "PC-ROLLER-600", "RM-BELT-PVC-600", "PC-MOTOR-075"),
                   (800, "PC-ROLLER-800", "RM-BELT-PVC-800", "PC-MOTOR-150")]  # fmt: skip
CONVEYOR_LENGTHS = [1500, 2000, 3000]
HITCH_CLASSES = [("II", "RM-TUBE-RECT-100", "RM-PLATE-S355-10", 25), ("III", "RM-TUBE-RECT-100", "RM-PLATE-S355-10", 32),
                 ("IV", "RM-TUBE-RECT-100", "RM-PLATE-S355-20", 40)]  # fmt: skip
PAINTS = ["RM-POWDER-RAL9005", "RM-POWDER-RAL2004", "RM-POWDER-RAL7035"]


def D(value):
    return Decimal(str(value))


def _made(sku, name, kind, bom, routing, lead=3):
    """A made item: ``bom`` = [(component sku, qty per, scrap %)], ``routing`` =
    [(work center, setup min, run min per unit, description)]."""
    return {"sku": sku, "name": name, "kind": kind, "uom": "ea", "lead_time_days": lead, "safety_stock": D(0),
            "bom": [(c, D(q), D(s)) for c, q, s in bom], "routing": routing}  # fmt: skip


def _cylinder_group(line, bore_spec):
    bore, tube, rod, seal, piston_bar = bore_spec
    p = "" if line == 1 else f"{line}"
    gland_bar = "RM-BAR-C45-70" if bore >= 63 else "RM-BAR-C45-40"
    items = [
        _made(
            f"MC{p}-PISTON-{bore}",
            f"Piston, bore {bore}{_line(line)}",
            "component",
            [(piston_bar, "0.045", 3)],
            [
                ("SAW-01", 10, "0.8", "Cut blanks"),
                ("LATHE-01", 35, "4.5", "Turn OD, grooves, bore"),
                ("DEBURR-01", 5, "1.0", "Deburr and wash"),
            ],
        ),
        _made(
            f"MC{p}-GLAND-{bore}",
            f"Gland (rod guide), bore {bore}{_line(line)}",
            "component",
            [(gland_bar, "0.06", 3)],
            [
                ("SAW-01", 10, "0.8", "Cut blanks"),
                ("LATHE-02", 40, "6.0", "Turn, thread, seal grooves"),
                ("DEBURR-01", 5, "1.0", "Deburr and wash"),
            ],
        ),
        _made(
            f"MC{p}-CLEVIS-{bore}",
            f"Rod-end clevis, bore {bore}{_line(line)}",
            "component",
            [("RM-PLATE-S355-20", "1.6", 5)],
            [
                ("LASER-01", 15, "1.2", "Laser cut profile"),
                ("CNC-02", 45, "5.5", "Mill slot, drill and ream pin bore"),
                ("DEBURR-01", 5, "1.0", "Deburr and wash"),
            ],
        ),
    ]
    for stroke in CYLINDER_STROKES:
        metres = D(stroke) / 1000 + D("0.08")
        items += [
            _made(f"SA{p}-BARREL-{bore}-{stroke}", f"Barrel weldment {bore}×{stroke}{_line(line)}", "subassembly",
                  [(tube, metres, 2), ("RM-PLATE-S355-20", "1.2", 5), ("PC-FIT-JIC-08", 2, 0), ("RM-WIRE-ER70S6", "0.15", 0)],
                  [("SAW-01", 10, "1.5", "Cut tube to length"), ("LATHE-01", 30, "5.0", "Face and chamfer ends"),
                   ("WELD-01", 25, "6.0", "Weld end cap and ports (WPS-011)"), ("DEBURR-01", 5, "2.0", "Clean bore, wash")]),
            _made(f"SA{p}-ROD-{bore}-{stroke}", f"Piston rod assembly {bore}×{stroke}{_line(line)}", "subassembly",
                  [(rod, D(stroke) / 1000 + D("0.12"), 2), (f"MC{p}-PISTON-{bore}", 1, 0), (f"MC{p}-CLEVIS-{bore}", 1, 0)],
                  [("SAW-01", 10, "1.0", "Cut rod to length"), ("LATHE-02", 30, "5.5", "Turn rod ends, thread"),
                   ("GRIND-01", 20, "3.0", "Polish seal area"), ("WELD-01", 20, "4.0", "Weld clevis to rod")]),
            _made(f"HC{p}-{bore}-{stroke}", f"Hydraulic cylinder {bore} bore × {stroke} stroke, double acting{_line(line)}",
                  "finished",
                  [(f"SA{p}-BARREL-{bore}-{stroke}", 1, 0), (f"SA{p}-ROD-{bore}-{stroke}", 1, 0), (f"MC{p}-GLAND-{bore}", 1, 0),
                   (seal, 1, 0), ("PC-GREASE-NIP", 2, 0), ("PC-NAMEPLATE", 1, 0), ("RM-POWDER-RAL9005", "0.35", 5),
                   ("PK-BOX-600", 1, 0), ("PK-FOAM-END", 1, 0)],
                  [("ASSY-01", 20, "12.0", "Assemble piston, gland and seals"), ("TEST-01", 10, "6.0", "Pressure test 250 bar"),
                   ("PAINT-01", 30, "3.0", "Mask ports, powder coat RAL 9005"), ("PACK-01", 5, "2.0", "Cap ports, box, label")],
                  lead=5),
        ]  # fmt: skip
    return items


def _conveyor_group(line, width_spec):
    width, roller, belt, motor = width_spec
    p = "" if line == 1 else f"{line}"
    paint = PAINTS[(width // 200 + line) % len(PAINTS)]
    items = [
        _made(
            f"MC{p}-DRUM-{width}",
            f"Drive drum Ø100 × {width}{_line(line)}",
            "component",
            [("RM-BAR-C45-40", D(width) / 1000 + D("0.2"), 2), ("RM-PLATE-S355-10", "4.5", 5)],
            [
                ("SAW-01", 10, "1.5", "Cut shaft and shell"),
                ("WELD-02", 20, "18.0", "Weld end discs"),
                ("LATHE-01", 45, "14.0", "Turn crown and journals"),
            ],
        ),
        _made(
            f"FB{p}-GUARD-{width}",
            f"Side guard bracket, {width} belt{_line(line)}",
            "component",
            [("RM-SHEET-DC01-3", "0.9", 8)],
            [("LASER-01", 10, "0.6", "Laser cut"), ("BRAKE-01", 15, "0.8", "Bend 2×90°")],
        ),
        _made(
            f"SA{p}-DRIVE-{width}",
            f"Drive end assembly, {width} belt{_line(line)}",
            "subassembly",
            [
                (f"MC{p}-DRUM-{width}", 1, 0),
                (motor, 1, 0),
                ("PC-BRG-UCP206", 2, 0),
                ("PC-BOLT-M16X60", 4, 0),
                ("PC-GUARD-MESH", 1, 0),
            ],
            [
                ("ASSY-02", 30, "35.0", "Mount drum, bearings and gear motor"),
                ("TEST-01", 10, "10.0", "Run-in 20 min, check noise"),
            ],
        ),
    ]
    for length in CONVEYOR_LENGTHS:
        metres = D(length) * 2 / 1000
        rollers = length // 250
        items += [
            _made(f"SA{p}-FRAME-{width}-{length}", f"Conveyor frame weldment {width}×{length}{_line(line)}", "subassembly",
                  [("RM-TUBE-SQ-50", metres + D(width) * 4 / 1000, 3), ("RM-ANGLE-40", metres, 3), ("RM-WIRE-ER70S6", "0.4", 0),
                   (paint, "1.8", 5)],
                  [("SAW-01", 15, "6.0", "Cut rails and cross members"), ("WELD-02", 30, "45.0", "Tack, square and weld frame"),
                   ("BLAST-01", 10, "8.0", "Shot blast SA 2.5"), ("PAINT-01", 30, "12.0", "Powder coat")]),
            _made(f"CV{p}-{width}-{length}", f"Belt conveyor section {width} × {length} mm{_line(line)}", "finished",
                  [(f"SA{p}-FRAME-{width}-{length}", 1, 0), (f"SA{p}-DRIVE-{width}", 1, 0), (roller, rollers, 0),
                   (belt, D(length) * 2 / 1000 + D("0.5"), 3), (f"FB{p}-GUARD-{width}", length // 500, 0),
                   ("PC-BOLT-M10X30", rollers * 2 + 8, 0), ("PC-NUT-M10", rollers * 2 + 8, 0), ("PC-NAMEPLATE", 1, 0),
                   ("PK-PALLET-EUR", 1, 0), ("PK-FILM-500", "0.1", 0)],
                  [("ASSY-02", 45, "90.0", "Fit rollers, belt and drive; track belt"), ("TEST-01", 10, "15.0", "Run test 30 min"),
                   ("PACK-01", 10, "15.0", "Palletise and wrap")], lead=10),
        ]  # fmt: skip
    return items


def _hitch_group(line):
    p = "" if line == 1 else f"{line}"
    items = []
    for cls, tube, plate, pin in HITCH_CLASSES:
        items += [
            _made(f"MC{p}-HPIN-{cls}", f"Hitch pin Ø{pin // 2 * 2 - 8} mm, class {cls}{_line(line)}", "component",
                  [("RM-BAR-C45-25", "0.14", 3)],
                  [("SAW-01", 5, "0.5", "Cut to length"), ("LATHE-01", 20, "1.8", "Turn, cross-drill for clip")]),
            _made(f"FB{p}-HPLATE-{cls}", f"Hitch mounting plate, class {cls}{_line(line)}", "component",
                  [(plate, "3.2", 6)],
                  [("LASER-01", 10, "1.1", "Laser cut with bolt holes"), ("BRAKE-01", 20, "1.5", "Bend flange")]),
            _made(f"SA{p}-HWLD-{cls}", f"Hitch receiver weldment, class {cls}{_line(line)}", "subassembly",
                  [(tube, "0.55", 3), (f"FB{p}-HPLATE-{cls}", 2, 0), ("RM-WIRE-ER70S6", "0.12", 0)],
                  [("SAW-01", 10, "1.2", "Cut receiver tube"), ("WELD-01", 25, "4.5", f"Robot weld (program H-{cls})"),
                   ("BLAST-01", 10, "2.0", "Shot blast")]),
            _made(f"TH{p}-{cls}", f"Trailer hitch receiver, class {cls}{_line(line)}", "finished",
                  [(f"SA{p}-HWLD-{cls}", 1, 0), (f"MC{p}-HPIN-{cls}", 1, 0), ("PC-PIN-CLIP-12", 1, 0),
                   ("PC-BOLT-M16X60", 4, 0), ("RM-POWDER-RAL9005", "0.4", 5), ("PK-VCI-BAG", 1, 0)],
                  [("PAINT-01", 30, "2.5", "Powder coat RAL 9005"), ("ASSY-01", 10, "3.0", "Fit pin, clip, hardware bag"),
                   ("PACK-01", 5, "1.5", "Bag and label")], lead=4),
        ]  # fmt: skip
    return items


def _line(line):
    return "" if line == 1 else f" (series {line})"


def _groups():
    """Product groups of 9–12 made items each, for ever: the first cycle is the
    demo plant's range; each further cycle is another product series."""
    line = 1
    while True:
        for spec in CYLINDER_BORES:
            yield _cylinder_group(line, spec)
        for spec in CONVEYOR_WIDTHS:
            yield _conveyor_group(line, spec)
        yield _hitch_group(line)
        line += 1


def catalogue(*, made_items=None):
    """(base items, made items in build order: components before what uses them).

    ``made_items=None`` gives the standard range (one series, 87 made items);
    otherwise whole product groups are added until at least ``made_items``.
    """
    made = []
    for n, group in enumerate(_groups()):
        if made_items is None and n == len(CYLINDER_BORES) + len(CONVEYOR_WIDTHS) + 1:
            break
        if made_items is not None and len(made) >= made_items:
            break
        made.extend(group)
    base = [
        {"sku": s, "name": n, "kind": k, "uom": u, "lead_time_days": lt, "safety_stock": D(ss)}
        for s, n, k, u, lt, ss in BASE_ITEMS
    ]
    return base, made


# --- realistic text -----------------------------------------------------------------

CUSTOMERS = [
    "Kessler Agritech",
    "Northfield Hydraulics",
    "Baltic Conveyor Systems",
    "Orion Material Handling",
    "Redline Trailers",
    "Haverford Equipment",
    "Prairie Harvest Machines",
    "Coastline Logistics",
    "Summit Forestry Equipment",
    "Delta Waste Solutions",
]

HOLD_REASONS = {
    "quality": [
        "Bore Ø63 measured 63.08 on 3 pcs (spec 63.00 +0.03/0). Parts segregated, MRB review requested.",
        "Porosity in end-cap weld found on 2 barrels; 100% dye-penetrant check ordered.",
        "Chrome rod from supplier lot 24-114 shows pitting; incoming inspection re-check.",
        "First article failed CMM: clevis pin bore position 0.15 mm off.",
        "Powder coat cross-hatch adhesion test failed; pretreatment bath being checked.",
        "Leak at gland seal during 250 bar test on 1 of 6 units; root cause analysis.",
        "Burrs in cross-drilled port found at assembly; batch returned for re-deburr.",
    ],
    "material": [
        "Honed tube 63×75 not received; supplier confirms delivery Thursday.",
        "Seal kits short by 12 pcs; expedite placed with supplier.",
        "Wrong grade delivered (C45 instead of 42CrMo4); returned to supplier, replacement due.",
        "Powder RAL 2004 out of stock; next drum arrives Monday.",
        "Gear motors held at customs; broker chasing release.",
        "Bar stock certificate (3.1) missing for heat 58812; cannot issue until received.",
    ],
    "engineering": [
        "Drawing rev C pending: port position moved 10 mm (ECN 2291).",
        "Customer asked for a different mounting pattern; engineering reviewing feasibility.",
        "Weld procedure WPS-014 needs requalification for 20 mm plate.",
        "Tolerance stack-up on drum crown under review after customer complaint.",
    ],
    "equipment": [
        "LATHE-02 spindle alarm (AL 751); maintenance called, waiting on encoder.",
        "WELD-01 robot wire feeder fault; job moved off until repaired.",
        "Cure oven not holding 180 °C; maintenance replacing burner controller.",
        "Press brake back gauge drifting; recalibration booked.",
        "Test bench pressure transducer out of calibration.",
    ],
    "customer": [
        "Customer asked to hold shipment pending credit check.",
        "Customer reviewing colour sample before the batch is painted.",
        "Customer changing delivery address; hold until new shipping instructions arrive.",
    ],
}

# The disposition each quality release note above records, in the same order.
QUALITY_DISPOSITIONS = ["use_as_is", "rework", "use_as_is", "use_as_is"]
RELEASE_NOTES = {
    "quality": [
        "MRB: use as is, deviation DV-0412 approved by customer quality.",
        "Rework done, 100% re-inspected, all within tolerance.",
        "Dye-penetrant check clean on all parts; released by QA.",
        "Pretreatment bath corrected; test panel passed cross-hatch class 0.",
    ],
    "material": [
        "Material received and inspected, lot 24-0871 issued to the line.",
        "Expedited parts arrived this morning; kit complete.",
        "Replacement bar with 3.1 certificate received and booked in.",
    ],
    "engineering": [
        "ECN released, travelers and drawings updated at the cell.",
        "Engineering confirmed current revision is OK to build.",
        "WPS requalified; welder sign-off on file.",
    ],
    "equipment": [
        "Maintenance replaced the encoder; test part measured OK.",
        "Wire feeder rollers replaced; robot back in production.",
        "Burner controller replaced; oven profile verified.",
    ],
    "customer": [
        "Customer confirmed; proceed as planned.",
        "Colour sample approved by customer e-mail.",
        "Credit check cleared by finance.",
    ],
}

CANCEL_REASONS = [
    "Customer cancelled the order (purchase order withdrawn).",
    "Duplicate work order created by the MRP run.",
    "Superseded: item replaced by a new revision (ECN 2284).",
    "Demand moved to next quarter; planner cancelled to free capacity.",
    "Forecast order not confirmed by customer.",
]

PRIORITY_UP_REASONS = [
    "Customer escalation: their assembly line is waiting on these.",
    "Expedite for the container shipment leaving Friday.",
    "Subassembly on the critical path for the {customer} order.",
    "Sales promised early delivery to win the follow-on order.",
]
PRIORITY_DOWN_REASONS = [
    "Customer pushed delivery back two weeks.",
    "Stock replenishment only; make room for customer orders.",
    "Lowered to let hot orders through LASER-01.",
]

RESCHEDULE_REASONS = [
    "Material arrives two days late; plan moved.",
    "Moved to free LASER-01 for a hot order.",
    "Customer pulled delivery forward.",
    "WELD-02 one welder short this week (vacation); re-sequenced.",
    "Waiting on tooling for the new clevis fixture.",
    "Paint line down for maintenance on Tuesday; pushed out a day.",
]

SHORT_COMPLETE_REASONS = [
    "Completed short: {short} scrapped in process, balance covered by the next run.",
    "Completed short by {short}; customer accepts partial delivery.",
    "Completed short ({short}): remaining blanks rejected at incoming inspection.",
]

# code, name: the plant's scrap reasons (scrap is counted by reason)
SCRAP_REASONS = [
    ("DIM", "Dimension out of tolerance"),
    ("SURFACE", "Surface damage or marks"),
    ("WELD", "Weld defect"),
    ("DISTORT", "Distortion"),
    ("COATING", "Coating defect"),
    ("HANDLING", "Handling damage"),
    ("ASSY", "Damaged in assembly"),
    ("TEST-FAIL", "Failed test"),
    ("MATERIAL", "Material defect"),
    ("SETUP", "Setup or first-off piece"),
]

# work center kind → (scrap reason code, the operator's note)
SCRAP_NOTES = {
    "SAW": ("DIM", "Scrap: cut length out of tolerance"),
    "LASER": ("SURFACE", "Scrap: pierce marks on edge"),
    "BRAKE": ("DIM", "Scrap: bend angle out"),
    "WELD": ("WELD", "Scrap: burn-through at end cap"),
    "CNC": ("SURFACE", "Scrap: chatter marks, tool worn"),
    "LATHE": ("DIM", "Scrap: OD undersize after insert change"),
    "GRIND": ("SURFACE", "Scrap: grinding burn"),
    "DEBURR": ("HANDLING", "Scrap: damaged in washer basket"),
    "BLAST": ("DISTORT", "Scrap: distortion after blasting"),
    "PAINT": ("COATING", "Scrap: paint runs, stripped and recycled"),
    "ASSY": ("ASSY", "Scrap: damaged seal during fit-up"),
    "TEST": ("TEST-FAIL", "Scrap: failed pressure test"),
    "PACK": ("HANDLING", "Scrap: handling damage"),
}

REVERSAL_REASONS = [
    "Keyed in twice on the tablet.",
    "Same batch reported twice at shift change.",
    "Counted twice: the earlier report already had these.",
]

PROGRESS_NOTES = [
    "",
    "",
    "",
    "",
    "Tool change on T12",
    "Waited 20 min for crane",
    "New operator, slower cycle",
    "First-off checked by QA",
    "Material from new lot",
    "Fixture adjusted",
]


def scrap_note(work_center_code):
    """(scrap reason code, note) for scrap at this work center."""
    return SCRAP_NOTES.get(work_center_code.split("-")[0], ("MATERIAL", "Scrap"))


def scrap_reasons_create(*, actor):
    """The plant's scrap reasons, through the batch service: ``{code: reason}``."""
    from workorders import services

    reasons = services.scrap_reasons_create(actor=actor, rows=[{"code": c, "name": n} for c, n in SCRAP_REASONS])
    return {reason.code: reason for reason in reasons}


# What stopped which kind of work center, now and then: (reason code, note).
DOWNTIME_NOTES = {
    "LASER": [("CHANGEOVER", "Nozzle and lens change for 10 mm plate"), ("BREAKDOWN", "Chiller alarm, reset by maintenance")],
    "CNC": [("CHANGEOVER", "Fixture change"), ("BREAKDOWN", "Spindle overload; tool holder replaced")],
    "WELD": [("NO-MATERIAL", "Waiting for cut blanks from cutting"), ("NO-OPERATOR", "Welder called to another cell")],
    "PAINT": [("PLANNED-MAINT", "Booth filter change"), ("QUALITY", "Adhesion test failed; line stopped until cleared")],
}


def downtime_create(*, actor, work_centers, now, rng):
    """The last three days' downtime at some work centers, and one work center down now."""
    from plant import services
    from plant.models import DowntimeReason

    services.downtime_reasons_ensure_defaults(actor=actor)
    reasons = {r.code: r for r in DowntimeReason.objects.all()}
    rows, down_now = [], None
    for work_center in sorted(work_centers, key=lambda wc: wc.code):
        notes = DOWNTIME_NOTES.get(work_center.code.split("-")[0])
        if not notes:
            continue
        start = now - dt.timedelta(days=3)
        for _ in range(rng.randint(1, 3)):
            start += dt.timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
            end = start + dt.timedelta(minutes=rng.randint(10, 90))
            if end >= now - dt.timedelta(hours=1):
                break
            code, note = rng.choice(notes)
            rows.append({"work_center": work_center, "reason": reasons[code], "started_at": start, "ended_at": end, "note": note})
            start = end
        if down_now is None and work_center.code.startswith("CNC"):
            down_now = work_center
    if down_now is not None:
        rows.append(
            {
                "work_center": down_now,
                "reason": reasons["BREAKDOWN"],
                "started_at": now - dt.timedelta(minutes=35),
                "note": "Coolant pump failed; maintenance on the way",
            }
        )
    return services.downtime_events_create(actor=actor, rows=rows, at=now)


# --- guard, users, flush ------------------------------------------------------------


def refuse_unless_demo_allowed():
    """Demo data never goes into a production database.

    Rule: refused when the settings module ends in ``.production`` (always), and
    refused when ``DEBUG`` is off unless ``PRODCOORD_ALLOW_SEED=1`` is set
    (for a throw-away database such as a benchmark's).
    """
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "") or getattr(settings, "SETTINGS_MODULE", "") or ""
    if module.endswith(".production"):
        raise CommandError(
            f"Refusing to load demo data with production settings ({module}). "
            "Demo data is for development, demo and benchmark databases only."
        )
    if not settings.DEBUG and os.environ.get(ALLOW_ENV, "").lower() not in {"1", "true", "yes"}:
        raise CommandError(
            f"Refusing to load demo data: DEBUG is off, so this may be a real plant's database. "
            f"If this database is a throw-away one, set {ALLOW_ENV}=1 and run again."
        )


def plant_has_data():
    from materials.models import Item
    from plant.models import Department
    from workorders.models import WorkOrder

    return WorkOrder.objects.exists() or Item.objects.exists() or Department.objects.exists()


def plant_layout_create(*, actor):
    """The demo plant's departments, work centers and shifts, through the services.
    Returns (work centers by code, shifts)."""
    from plant import services

    departments = {code: services.department_create(actor=actor, code=code, name=name) for code, name in DEPARTMENTS}
    work_centers = {
        code: services.work_center_create(
            actor=actor, code=code, name=name, department=departments[dept], capacity_hours_per_shift=Decimal(hours)
        )
        for code, name, dept, hours in WORK_CENTERS
    }
    shifts = [
        services.shift_create(actor=actor, code=code, name=name, start_time=start, end_time=end)
        for code, name, start, end in SHIFTS
    ]
    return work_centers, shifts


def users_create():
    """One user per role (in the group of the same name) and a superuser, all with the demo password."""
    hashed = make_password(DEMO_PASSWORD)  # hash once: the same password for every demo login
    users = {}
    for username, first, last, role in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@plant.example", "password": hashed},
        )
        user.groups.set([Group.objects.get(name=role)])
        users[role] = user
    admin, _ = User.objects.update_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "first_name": "Plant",
            "last_name": "Admin",
            "email": "admin@plant.example",
            "password": hashed,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    users["admin"] = admin
    return users


def badges_create(users):
    """The demo operators' badges and PINs (floor mode), through the badge service."""
    from prodcoord.core.badges import operator_badges_set

    by_name = {user.username: user for user in users.values()}
    return operator_badges_set(
        actor=None, rows=[{"user": by_name[name], "badge": badge, "pin": pin} for name, badge, pin in DEMO_BADGES]
    )


def displays_create():
    """A wall display per ``DEMO_DISPLAYS`` department; returns ``[(department code, token)]``."""
    from plant.models import Department
    from plant.services import wall_displays_create

    departments = {d.code: d for d in Department.objects.filter(code__in=[code for code, _ in DEMO_DISPLAYS])}
    displays = wall_displays_create(
        actor=None, rows=[{"department": departments[code], "name": name} for code, name in DEMO_DISPLAYS]
    )
    return [(display.department.code, display.token) for display in displays]


def badges_text():
    return "Floor mode (/floor/): " + ", ".join(f"{name} badge {badge} PIN {pin}" for name, badge, pin in DEMO_BADGES)


def logins_text():
    names = [u[0] for u in DEMO_USERS] + [ADMIN_USERNAME]
    return "Logins (password for all: {}): {}".format(DEMO_PASSWORD, ", ".join(names))


@transaction.atomic
def coordination_create(*, users, work_centers, shifts, today):
    """The roster (the coordinator on Assembly's day shift, the supervisor on Finishing's) and a few
    action items from the morning meeting, an active hold and the latest downtime, one of them overdue."""
    from coordination.models import ActionItem
    from coordination.services import action_item_create, roster_entry_set
    from plant.models import DowntimeEvent
    from workorders.models import Hold

    departments = {wc.department.code: wc.department for wc in work_centers.values()}
    day = next(s for s in shifts if s.start_time.hour < 12 and not s.crosses_midnight)
    coordinator, supervisor, planner = users["coordinator"], users["supervisor"], users["planner"]
    roster_entry_set(actor=None, user=coordinator, department=departments["ASSY"], shift=day)
    roster_entry_set(actor=None, user=supervisor, department=departments["FIN"], shift=day)
    hold = Hold.objects.filter(released_at__isnull=True).select_related("work_order").order_by("placed_at").first()
    downtime = DowntimeEvent.objects.select_related("work_center", "reason").order_by("-started_at").first()
    rows = [
        ("Agree the weekend overtime for the cylinder line", coordinator, 1, {"source": "meeting"}),
        ("Send the paint booth filter order to purchasing", supervisor, 2, {"source": "meeting", "is_critical": True}),
    ]
    if hold is not None:
        rows.append((f"{hold.work_order.number}: get the hold cleared", coordinator, 0, {"hold": hold, "is_critical": True}))
    if downtime is not None:
        rows.append((f"{downtime.work_center.code}: find the cause of the stop", supervisor, 3, {"downtime_event": downtime}))
    for title, owner, days, extra in rows:
        action_item_create(actor=planner, title=title, owner=owner, due_date=today + dt.timedelta(days=days), **extra)
    late = action_item_create(
        actor=coordinator, title="Update the ASSY-01 changeover checklist", owner=coordinator, due_date=today, source="meeting"
    )
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=2))  # promised last week


def demo_data_flush():
    """Delete the plant's production and master data, its event log and the demo users.

    The event log is append-only for the application; a flush of a demo
    database is the one place it is emptied, with plain SQL. Foreign keys are
    checked at commit, so the order of the deletes does not matter.
    """
    from django.apps import apps

    from prodcoord.core.models import NumberSequence

    tables = []
    for label in ("reports", "coordination", "planning", "workorders", "materials", "plant", "notifications", "events"):
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            tables.append(model._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    NumberSequence.objects.filter(name="work_order").delete()
    User.objects.filter(username__in=[u[0] for u in DEMO_USERS] + [ADMIN_USERNAME]).delete()


# --- stock: locations, lots, on-hand, expected receipts, kits ----------------------------------

STOCK_LOCATIONS = [
    # code, name, kind, work center (line-side), receives output
    ("WH-MAIN", "Main warehouse", "warehouse", None, True),
    ("WH-RAW", "Raw material store (bar, sheet, tube)", "warehouse", None, False),
    ("QA-HOLD", "Incoming inspection quarantine", "quarantine", None, False),
    ("STAGE-A", "Staging lane A (fabrication, machining)", "staging", None, False),
    ("STAGE-B", "Staging lane B (assembly)", "staging", None, False),
    ("LS-ASSY-01", "Line-side rack, cylinder assembly", "line_side", "ASSY-01", False),
    ("LS-ASSY-02", "Line-side rack, conveyor assembly", "line_side", "ASSY-02", False),
    ("LS-SAW-01", "Bar rack at the saw", "line_side", "SAW-01", False),
]
SUPPLIERS = ["Nordic Steel AB", "Hydroseal GmbH", "Parker Fluid Connectors", "Bolt & Nut Supply", "Coatex Powders"]


def stock_locations_create(*, actor, work_centers):
    """The plant's stock locations, through the services. Returns them by code."""
    from materials import stock

    rows = [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "work_center": work_centers[wc] if wc else None,
            "receives_output": output,
        }
        for code, name, kind, wc, output in STOCK_LOCATIONS
    ]
    return {loc.code: loc for loc in stock.locations_create(actor=actor, rows=rows)}


def stock_opening_create(*, actor, items, locations, rng, today, at=None):
    """Opening stock of bought items (raw material, purchased components, packaging, supplies), a lot
    per receipt with an expiry on some; a little in quarantine and one expired lot; and expected
    receipts over the coming weeks, a few of them late. All through the services, set-based: one
    call for the lots, one for the receipts into stock, one for the expected receipts."""
    from materials import stock

    bought = [item for item in items if item.kind in ("raw", "component", "packaging", "supply")]
    if not bought:
        return
    lot_rows, move_specs = [], []
    for n, item in enumerate(bought):
        counted = item.uom in ("ea", "box", "roll")
        amount = Decimal(rng.choice([40, 80, 150, 300, 600])) if counted else Decimal(rng.randint(50, 900)) + Decimal("0.5")
        expires = None
        if item.kind in ("supply", "packaging") or n % 7 == 0:
            expires = today + dt.timedelta(days=rng.randint(20, 400))
        if n % 23 == 5:
            expires = today - dt.timedelta(days=rng.randint(1, 30))  # an expired lot: on hand, not usable
        lot_rows.append({"item": item, "code": f"L{today:%y%m}-{n:04d}", "expires_on": expires})
        where = locations["WH-RAW"] if item.kind == "raw" else locations["WH-MAIN"]
        if n % 17 == 3:
            where = locations["QA-HOLD"]  # awaiting inspection
        move_specs.append((item, amount, where))
    lots = stock.lots_create(actor=actor, rows=lot_rows)
    stock.stock_moves_post(
        actor=actor,
        rows=[
            {"kind": "receipt", "item": item, "quantity": amount, "to_location": where, "lot": lot, "note": "Opening stock"}
            for (item, amount, where), lot in zip(move_specs, lots, strict=True)
        ],
        at=at,
    )
    receipt_rows = []
    for n, item in enumerate(bought):
        if n % 3:
            continue
        counted = item.uom in ("ea", "box", "roll")
        quantity = Decimal(rng.choice([50, 100, 200, 500])) if counted else Decimal(rng.randint(100, 1500))
        receipt_rows.append(
            {
                "item": item,
                "quantity": quantity,
                "due_date": today + dt.timedelta(days=rng.randint(-4, 28)),
                "reference": f"PO-{4100 + n}",
                "supplier": rng.choice(SUPPLIERS),
            }
        )
    stock.expected_receipts_create(actor=actor, rows=receipt_rows)
