"""Per-agent KPIs (PROCESSES.md §9; seed 002's 询单 KPI items): inquiry conversion, first-reply
time, reply rate, reception volume, average order value of converted inquiries, refund
follow-up, on-time % per step, customer satisfaction; each with its formula, in period buckets
of the business calendar's zone. The refund follow-ups an agent records are kept here."""
