"""Security events delivered to webhook endpoints: signing, the delivery worker.
May import the store and identity records; never the servicers."""
