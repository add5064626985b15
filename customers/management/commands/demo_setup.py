"""Prepare the demo database: load the demo city once, keep it on later runs, print the logins."""

from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from billing.demo import demo_billing_loaded, load_demo_billing
from collection.autodebit.demo import load_demo_mandates
from collection.demo import load_demo_payments
from collection.dunning.run import run_dunning
from customers.models import Premise
from proactive.demo import demo_flow_file
from proactive.imports import import_hourly_flows
from proactive.models import ProactiveCase
from staff.demo import create_demo_users, logins_table
from staff.models import BranchOffice


class Command(BaseCommand):
    help = "Load the demo city if the database has none, make sure the demo logins work, print them."

    def add_arguments(self, parser):
        parser.add_argument("--premises", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, premises, seed, **options):
        if not Premise.objects.exists():
            # load_demo_city prints the logins itself
            call_command("load_demo_city", premises=premises, seed=seed, stdout=self.stdout)
            self._bills(seed)
            return
        self.stdout.write(f"Demo city already loaded ({Premise.objects.count():,} premises); keeping it.")
        create_demo_users({office.code: office for office in BranchOffice.objects.all()})
        if not demo_billing_loaded():  # a city loaded before the demo had bills
            self._bills(seed)
        self.stdout.write("\nDemo logins:")
        self.stdout.write("\n".join(logins_table()))

    def _bills(self, seed):
        """A few months of monthly readings, billed by the billing run (billing/demo)."""
        counts = load_demo_billing(seed=seed)
        self.stdout.write("Readings and bills:")
        for label, count in counts.items():
            self.stdout.write(f"  {label:<17}{count:>10,}")
        # The accounts the demo city marks as paying by auto-debit, with their (invented) bank accounts.
        self.stdout.write(f"  {'auto-debit':<17}{load_demo_mandates(seed=seed):>10,}")
        # Each finished run scanned the accounts it billed for unusual use (proactive care):
        # the cases the branch offices find on their list.
        # The AMI meters' last three days, as the head-end's file would bring them.
        last_hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        content = demo_flow_file(last_hour, seed=seed)
        if content:
            # Judged once committed, as after any head-end file (by a worker, or at once without one).
            flows = import_hourly_flows("demo-headend.csv", content, acting_user=None)
            self.stdout.write(f"  {'AMI hourly flows':<17}{flows.source.accepted:>10,}")
        self.stdout.write(f"  {'proactive cases':<17}{ProactiveCase.objects.count():>10,}")
        # The bank's deposit file of the bills: most paid, some in part or not at all, a few in suspense.
        deposits = load_demo_payments(seed=seed).source
        self.stdout.write(f"  {'payments':<17}{deposits.posted:>10,}")
        self.stdout.write(f"  {'in suspense':<17}{deposits.suspense:>10,}")
        # This morning's collection job: late fees, reminders, notices and orders for the unpaid bills.
        dunning = run_dunning()
        steps = dunning.reminders + dunning.notices + dunning.disconnections
        self.stdout.write(f"  {'dunning steps':<17}{steps:>10,}")
