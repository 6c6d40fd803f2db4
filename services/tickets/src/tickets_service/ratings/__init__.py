"""Customer satisfaction (§9, target ≥ 90%): the post-contact rating the customer gives, taken in
once per rating from the channel that asked for it."""
