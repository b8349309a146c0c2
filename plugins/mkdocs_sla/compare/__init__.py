"""compare: what changed between two versions of an agreement and between two catalogs, and
whether each change is favourable, adverse or neutral for the customer (`sla diff`)."""
