"""Stored attachment files lose the folder prefix their name repeated.

`store_attachment` used to name a file "attachments/<y>/<m>/<xx>/<uuid>" and the field's
upload_to put that under "attachments/<y>/<m>/" again. Each such file moves to the inner path
(the one meant) and its row follows; a file already moved, or missing, only gets its row fixed
when the file is where the row should point.
"""

import re

from django.core.files.storage import default_storage
from django.db import migrations

_REPEATED = re.compile(r"^attachments/\d{4}/\d{2}/(attachments/\d{4}/\d{2}/.+)$")


def move_files(apps, schema_editor):
    Attachment = apps.get_model("tickets", "Attachment")
    for attachment in Attachment.objects.filter(file__regex=_REPEATED.pattern).iterator():
        old_name = attachment.file.name
        new_name = _REPEATED.match(old_name)[1]
        if default_storage.exists(old_name) and not default_storage.exists(new_name):
            with default_storage.open(old_name, "rb") as stored:
                saved_as = default_storage.save(new_name, stored)
            if saved_as != new_name:
                raise RuntimeError(f"{old_name} was saved as {saved_as}, not {new_name}")
            default_storage.delete(old_name)
        if default_storage.exists(new_name):
            Attachment.objects.filter(pk=attachment.pk).update(file=new_name)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_desk_channel")]

    operations = [migrations.RunPython(move_files, migrations.RunPython.noop)]
