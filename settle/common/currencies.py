"""The ISO 4217 currency codes, for checking the currencies an organisation accepts.

Only codes of money in circulation: the standard's codes for no currency (XXX), testing (XTS),
precious metals (XAU, XAG, XPD, XPT), bond-market units (XBA-XBD) and funds that nothing is paid
in (XDR, XSU, XUA) are left out, as are codes withdrawn from the standard.
"""

_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_CODES.split())


def currencies_unknown(codes: list[str]) -> list[str]:
    """The codes in `codes` that are not ISO 4217 currencies (empty when all are)."""
    return [code for code in codes if code not in ISO_4217]
