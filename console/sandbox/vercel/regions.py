"""Vercel's regions: the codes a project may name and where they are.

A project keeps the region it was created with (`serverlessFunctionRegion`);
its deployments report it (`createdIn`, `regions`) and their build logs open
with it, as Vercel's do ("Running build in Frankfurt, Germany (West) – fra1").
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

#: Where Vercel puts a project whose create request names no region.
DEFAULT_REGION = "iad1"

REGION_NAMES: dict[str, str] = {
    "arn1": "Stockholm, Sweden (North)",
    "bom1": "Mumbai, India (South)",
    "cdg1": "Paris, France (West)",
    "cle1": "Cleveland, USA (East)",
    "cpt1": "Cape Town, South Africa (South)",
    "dub1": "Dublin, Ireland (West)",
    "dxb1": "Dubai, United Arab Emirates (Middle East)",
    "fra1": "Frankfurt, Germany (West)",
    "gru1": "São Paulo, Brazil (East)",
    "hkg1": "Hong Kong (East)",
    "hnd1": "Tokyo, Japan (East)",
    "iad1": "Washington, D.C., USA (East)",
    "icn1": "Seoul, South Korea (East)",
    "kix1": "Osaka, Japan (North)",
    "lhr1": "London, United Kingdom (West)",
    "pdx1": "Portland, USA (West)",
    "sfo1": "San Francisco, USA (West)",
    "sin1": "Singapore (Southeast)",
    "syd1": "Sydney, Australia (Southeast)",
}


def build_location_line(region: str) -> str:
    """The first line of a build log: where the build runs."""
    return f"Running build in {REGION_NAMES.get(region, region)} \u2013 {region}"
