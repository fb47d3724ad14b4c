"""Trade facilitation use cases that face the public: the trade information portal
(:mod:`.portal`), what WTO TFA Article 1 asks administrations to publish, from the rules the
node applies."""
