"""Estimated delivery dates learnt from delivered shipments (pure: no database, no clock).

The model
---------
* Transit is counted in **USPS business days** from the acceptance day to the delivery day.
  A business day is any day but Sunday and US federal holidays (including the day a federal
  holiday is observed: the Friday before a Saturday holiday, the Monday after a Sunday one).
  Saturdays count: USPS delivers Monday to Saturday. This is one calendar for every class, a
  simplification: Priority Mail Express also delivers on some Sundays and holidays.
* The **acceptance day** is the pickup (acceptance scan) day if that is a business day and the
  pickup is not after the cutoff; otherwise the next business day. The cutoff is 17:00 local
  by default (accepted at 17:00:00 counts that day, at 17:00:01 the next); an origin ZIP3 with
  enough history gets its own, learnt: the half hour between 14:00 and 19:30 that makes its
  lanes' transit times most regular (post offices' last trucks leave at different times).
* History is kept as a histogram of transit days per key, at five levels, most specific first
  (`LEVELS`): the lane (origin ZIP3 → destination ZIP3, mail class); the region (origin ZIP3 →
  destination ZIP first digit, same class); the lane whatever the class; the class; everything.
  The first level with at least `min_samples` (20) shipments answers; a more specific level
  with fewer is *topped up* to `min_samples` with the shape of the level that answers (a lane
  with 5 deliveries weighs 5/20, its region the other 15/20). The region comes before the
  class-less lane because the class moves transit more than the last two ZIP digits do
  (Ground Advantage takes about two days longer than Priority Mail on the same lane). On
  synthetic history (seeds other than the bench's) the other order gave 2-3 points fewer
  exact likely dates, and a hard fallback without the top-up about 7 points fewer.
* Earliest / likely / latest are the 5th, 50th and 95th percentiles (nearest rank) of that
  distribution, added to the acceptance day in business days.
* With too little history (no level reaching `min_samples`) the carrier's own expected date
  (USPS `expectedDeliveryDate`) is used as all three dates; with neither, there is no
  estimate (None).
* Confidence is a 0-100 score that grows with every delivered shipment behind the answer (a
  lane's own history most, then its region's, ...) and with the narrowness of the range, and
  an AfterShip-style `confidence_code` follows from it (10000/10001 high, 20001 range high and
  single date medium, 30001 volatile transit, 30002 not enough qualified data, 30004 address
  not precise enough).

Predict-batch (`predict_batch`) takes AfterShip 2024-04 `estimated_delivery_dates` items and
answers the same items with `estimated_pickup.pickup_time` and the three dates filled in; a bad
item raises `EddInputError` whose `field` names the offending field.

Modules: `calendar` (business days), `places` (ZIP3 zones, mail classes), `model` (history,
estimates, confidence) and `predict` (the API batch); what callers use is re-exported here.
"""

from tracking.edd.calendar import (
    CUTOFF,
    acceptance_day,
    add_business_days,
    business_days_between,
    holidays,
    is_business_day,
    next_business_day,
)
from tracking.edd.model import (
    CODE_FEW_DATA,
    CODE_HIGH,
    CODE_HIGHEST,
    CODE_IMPRECISE_ADDRESS,
    CODE_RANGE_HIGH,
    CODE_VOLATILE,
    QUANTILES,
    EddModel,
    Estimate,
    TransitRecord,
    estimate,
    estimate_shipment,
    hist_quantile,
    transit_record,
)
from tracking.edd.places import normalize_mail_class, zip3, zip_timezone
from tracking.edd.predict import EddInputError, parse_predict_batch, predict, predict_batch

__all__ = [
    "CODE_FEW_DATA",
    "CODE_HIGH",
    "CODE_HIGHEST",
    "CODE_IMPRECISE_ADDRESS",
    "CODE_RANGE_HIGH",
    "CODE_VOLATILE",
    "CUTOFF",
    "QUANTILES",
    "EddInputError",
    "EddModel",
    "Estimate",
    "TransitRecord",
    "acceptance_day",
    "add_business_days",
    "business_days_between",
    "estimate",
    "estimate_shipment",
    "hist_quantile",
    "holidays",
    "is_business_day",
    "next_business_day",
    "normalize_mail_class",
    "parse_predict_batch",
    "predict",
    "predict_batch",
    "transit_record",
    "zip3",
    "zip_timezone",
]
