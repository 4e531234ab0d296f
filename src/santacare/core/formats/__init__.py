"""Date formats shared by both languages, so a month reads the same on every page and export.

Django's own Finnish month format spells the month out ("kesäkuu 2026") where every other page
and the report filters use numbers; `|date:"YEAR_MONTH_FORMAT"` gives "6/2026" in both languages.
"""
