"""What the demo changes in an emulated org between its days, the way a sales team would, and how
it then shows that the warehouse still equals the org.

Before the second day's runs: two accounts are deleted (their contacts and opportunities go to the
Recycle Bin with them) and one account is merged into another (its contacts and opportunities are
re-parented to the master). Before the third day's: one deleted account is restored (what went
with it comes back), the other is purged from the Recycle Bin, and a live account is hard-deleted
(Bulk API hardDelete: never in the Recycle Bin), which no incremental load can see: the
reconciliation finds it. Changes happen at 09:00 of their day on the org's clock
(sandbox/salesforce/lifecycle.py says what each one moves).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

CHILDREN = (("Contact", "AccountId"), ("Opportunity", "AccountId"))


@dataclass
class DemoChanges:
    """The records the demo changes in one org, chosen on the second day and kept for the third."""

    org: Any
    deleted: list[str] = field(default_factory=list)
    master: str | None = None
    merged: str | None = None
    hard_deleted: str | None = None
    log: list[str] = field(default_factory=list)

    def schedule(self, days: list[dt.date]) -> list[dt.datetime]:
        """When the changes happen: 09:00 on the second and on the third day."""
        return [dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) for day in days[1:3]]

    def apply(self, at: dt.datetime) -> list[str]:
        """Make the changes due at `at` (one of `schedule`'s moments); returns what was done."""
        logged = len(self.log)
        self.org.set_clock(at)
        when = f"{at:%Y-%m-%d %H:%M}"
        if not self.deleted:
            first, second, master, merged = self._changeable(at)[:4]
            self.deleted = [first, second]
            gone = self.org.delete("Account", self.deleted)
            self.log.append(f"{when} deleted accounts {first}, {second} ({len(gone) - 2} related with them)")
            moved = self.org.merge("Account", master, [merged])
            self.master, self.merged = master, merged
            self.log.append(f"{when} merged account {merged} into {master} ({len(moved)} re-parented)")
        elif self.hard_deleted is None:
            restored, purged = self.deleted
            back = self.org.undelete("Account", [restored])
            self.log.append(f"{when} restored account {restored} ({len(back) - 1} related with it)")
            self.org.purge("Account", [purged])
            self.log.append(f"{when} purged account {purged} from the Recycle Bin")
            self.hard_deleted = self._changeable(at)[0]
            self.org.hard_delete("Account", [self.hard_deleted])
            self.log.append(f"{when} hard-deleted account {self.hard_deleted} (never in the Recycle Bin)")
        return self.log[logged:]

    def _changeable(self, at: dt.datetime) -> list[str]:
        """Accounts with contacts, none of them changed at `at` (a record changes once an instant)."""
        children = {name: self.org.records(name) for name, _ in CHILDREN}
        found = []
        for account in self.org.records("Account"):
            account_id = str(account["Id"])
            related = [
                (name, child)
                for name, reference in CHILDREN
                for child in children[name]
                if child[reference] == account_id
            ]
            has_contacts = any(name == "Contact" for name, _ in related)
            changed = [account["SystemModstamp"], *(child["SystemModstamp"] for _, child in related)]
            if has_contacts and max(changed) < at:
                found.append(account_id)
        return found
