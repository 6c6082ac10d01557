"""The audit trail becomes several hash chains (AUDIT_CHAIN_STREAMS), each with its own lock.

Every event written so far is chain 0, which goes on from them; `db_default` lets processes of
the previous release keep inserting (into chain 0) during a rolling deploy. Reversible: going
back drops the chain number, after which events appended to chains other than 0 no longer
verify as one chain (go back only before raising AUDIT_CHAIN_STREAMS above 1).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_drop_plain_api_tokens")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="stream",
            field=models.PositiveSmallIntegerField(db_default=0, default=0),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["stream", "id"], name="audit_stream_idx"),
        ),
    ]
