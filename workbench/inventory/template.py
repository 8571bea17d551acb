"""The inventory import templates: CSV and XLSX with bilingual headers and a help sheet."""
from __future__ import annotations

import csv
import io

from workbench.inventory import records
from workbench.inventory.columns import COLUMNS, TEMPLATE_COLUMNS
from workbench.messages import translator_for


def template_csv() -> bytes:
    """The CSV template: bilingual header row, UTF-8 with BOM so Excel shows Chinese."""
    out = io.StringIO()
    csv.writer(out).writerow([c.label for c in TEMPLATE_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: header row, drop-down lists, and a help sheet."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    chinese = translator_for("zh")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    # A new (not write-only) workbook starts with one ordinary worksheet; said for mypy.
    assert isinstance(sheet, Worksheet)
    sheet.title = "标识牌 signs"
    sheet.append([c.label for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCEFE6")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 28 if column.key in (
            "zh", "en_current", "site", "location") else 14
        vocabulary = {"sector": records.SECTORS, "function": records.FUNCTIONS,
                      "action": records.ACTIONS}.get(column.key)
        # The drop-down offers the Chinese labels (the importer reads them back).
        choices = [term.message.render(chinese) for term in vocabulary] if vocabulary else None
        if choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                        allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    help_sheet = workbook.create_sheet("说明 help")
    help_sheet.append(["列 column", "必填 required", "说明", "description"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([column.label, "是 yes" if column.required else "",
                           column.help_zh, column.help_en])
    for letter, width in (("A", 22), ("B", 12), ("C", 50), ("D", 70)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
