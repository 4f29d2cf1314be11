"""POST /estimated-delivery-date/predict-batch."""

from shipdesk.api import APIError, PartnerAPIView, aftership_response
from tracking.edd import EddInputError
from tracking.services.edd import edd_predict_batch


class PredictBatchView(PartnerAPIView):
    def post(self, request):
        data = request.data
        body = data if isinstance(data, dict) else {}
        try:
            dates = edd_predict_batch(items=body.get("estimated_delivery_dates"))
        except EddInputError as exc:
            raise APIError(f"{exc.field}: {exc}", field=exc.field) from exc
        return aftership_response({"estimated_delivery_dates": dates})
