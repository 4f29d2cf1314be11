"""POST /estimated-delivery-date/predict-batch (and, from 2026-07, /predict for one)."""

from shipdesk.api import aftership_response
from tracking.api.views import VersionedView
from tracking.edd import EddInputError
from tracking.services.edd import edd_predict_batch


class PredictBatchView(VersionedView):
    def post(self, request):
        data = request.data
        body = data if isinstance(data, dict) else {}
        try:
            items = self.version.predict_items(body.get("estimated_delivery_dates"))
            dates = edd_predict_batch(items=items)
        except EddInputError as exc:
            raise self.version.predict_error(exc) from exc
        return aftership_response(
            {"estimated_delivery_dates": [self.version.prediction(d) for d in dates]}
        )


class PredictView(VersionedView):
    """One shipment's prediction: the batch of one, answered as the item itself."""

    def post(self, request):
        try:
            (answer,) = edd_predict_batch(items=self.version.predict_items([request.data]))
        except EddInputError as exc:
            raise self.version.predict_error(exc, single=True) from exc
        return aftership_response(self.version.prediction(answer))
