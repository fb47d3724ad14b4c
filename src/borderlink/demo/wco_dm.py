"""Synthetic WCO DM 3.x declarations (DEC-DMS XML) for tests, the demo and the benchmark.

Each message is an original export or import declaration with a declarant, exporter, importer
(EORI), a consignee by name and address, transport, a goods location, a container and goods
items with a TSP commodity code of eight digits. Nothing in it names a real trader.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

NS_MD = "urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
NS_DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"
CODES = ("85171300", "46021910", "61091000", "09012100", "84713000", "94036090")
ORIGINS = ("CN", "VN", "GB", "US", "DE", "IN")


def _item(number: int, seed: int) -> str:
    code = CODES[(seed + number) % len(CODES)]
    origin = ORIGINS[(seed * 7 + number) % len(ORIGINS)]
    mass = 5 + (seed + number) % 500
    return (
        f"<GovernmentAgencyGoodsItem><SequenceNumeric>{number}</SequenceNumeric>"
        f'<CustomsValueAmount currencyID="GBP">{100 + seed % 9000}.50</CustomsValueAmount>'
        f"<Commodity><Description>Synthetic goods {seed}-{number}</Description>"
        f"<Classification><ID>{code}</ID><IdentificationTypeCode>TSP</IdentificationTypeCode>"
        "</Classification><GoodsMeasure><GrossMassMeasure>"
        f"{mass + 1}</GrossMassMeasure><NetNetWeightMeasure>{mass}</NetNetWeightMeasure>"
        '<TariffQuantity unitCode="NAR">10</TariffQuantity></GoodsMeasure></Commodity>'
        "<GovernmentProcedure><CurrentCode>10</CurrentCode><PreviousCode>00</PreviousCode>"
        "</GovernmentProcedure><GovernmentProcedure><CurrentCode>000</CurrentCode>"
        f"</GovernmentProcedure><Origin><CountryCode>{origin}</CountryCode><TypeCode>1</TypeCode>"
        "</Origin></GovernmentAgencyGoodsItem>"
    )


def declaration(seed: int, *, items: int = 2, reference: str | None = None) -> str:
    """One ``Declaration`` element (no XML declaration, no MetaData around it)."""
    ref = escape(reference or f"SYN-{seed:08d}")
    day = 1 + seed % 28
    goods = "".join(_item(n, seed) for n in range(1, items + 1))
    return (
        f'<Declaration xmlns="{NS_DEC}"><FunctionCode>9</FunctionCode>'
        f"<FunctionalReferenceID>{ref}</FunctionalReferenceID><TypeCode>EXA</TypeCode>"
        '<AcceptanceDateTime><DateTimeString formatCode="304">'
        f"202603{day:02d}090000+01</DateTimeString></AcceptanceDateTime>"
        "<BorderTransportMeans><ID>SYNVESSEL</ID><IdentificationTypeCode>11"
        "</IdentificationTypeCode><ModeCode>1</ModeCode></BorderTransportMeans>"
        f"<Declarant><ID>GB{seed % 1000:012d}</ID></Declarant>"
        "<ExitOffice><ID>GB000040</ID></ExitOffice>"
        f"<Exporter><ID>GB{100000000000 + seed % 5000}</ID></Exporter>"
        "<GoodsShipment><Consignee><Name>Synthetic Imports Inc</Name><Address>"
        "<CityName>New York</CityName><CountryCode>US</CountryCode><Line>1 Test Avenue</Line>"
        "<PostcodeID>NY1 234</PostcodeID></Address></Consignee>"
        "<Consignment><ContainerCode>1</ContainerCode><GoodsLocation><Name>DVRDOVDVR</Name>"
        "<TypeCode>A</TypeCode><Address><TypeCode>U</TypeCode><CountryCode>GB</CountryCode>"
        "</Address></GoodsLocation><TransportEquipment><SequenceNumeric>1</SequenceNumeric>"
        "<ID>CSQU3054383</ID><Seal><SequenceNumeric>1</SequenceNumeric><ID>S1</ID></Seal>"
        "</TransportEquipment></Consignment><Destination><CountryCode>US</CountryCode>"
        f"</Destination><ExportCountry><ID>GB</ID></ExportCountry>{goods}"
        "<PreviousDocument><CategoryCode>Z</CategoryCode>"
        f"<ID>6GB000000000000-{seed}</ID><TypeCode>DCR</TypeCode></PreviousDocument>"
        "</GoodsShipment></Declaration>"
    )


def message(seed: int, *, items: int = 2, reference: str | None = None) -> str:
    """One message as a national system sends it: MetaData around one Declaration."""
    return (
        f'<md:MetaData xmlns:md="{NS_MD}"><md:WCODataModelVersionCode>3.6'
        "</md:WCODataModelVersionCode><md:WCOTypeName>DEC</md:WCOTypeName>"
        f"{declaration(seed, items=items, reference=reference)}</md:MetaData>"
    )


def write_messages(out: IO[bytes], count: int, *, items: int = 2, start: int = 0) -> None:
    """``count`` messages in one file, under a ``Declarations`` root element, streamed."""
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<Declarations>\n')
    for seed in range(start, start + count):
        out.write(message(seed, items=items).encode())
        out.write(b"\n")
    out.write(b"</Declarations>\n")


def write_file(path: Path, seed: int, *, items: int = 2, reference: str | None = None) -> Path:
    body = message(seed, items=items, reference=reference)
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n', encoding="utf-8")
    return path
