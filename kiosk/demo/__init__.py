"""`uketsuke demo`: the whole chain on embedded defaults, with a simulated 資格確認端末 and fake patients.

The simulator here is also what the tests use; it shares no code with Uketsuke's own OQS client (stdlib
ElementTree only), so a bug in one cannot hide a bug in the other.
"""
