"""Reference data use cases: load HS nomenclatures and correlations, exchange rates and
UN/LOCODE locations (:mod:`.load`), and the snapshot validation reads."""
