"""Anonymised survey answers as CSV or XLSX, streamed row by row from the database."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook


class _Echo:
    def write(self, value):
        return value


def export_csv_response(rows, header, name):
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # so spreadsheet programs read it as UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def export_xlsx_response(rows, header, name):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append(header)
    for row in rows:
        # Text cells go in as strings (never formulas): openpyxl treats a leading "=" as a formula,
        # which neutralise() has already prefixed.
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
