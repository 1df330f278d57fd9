"""The calculator functions behind legacy-style asymmetric routes."""

from calc_functions import add, flaky, get_item, secret

from asymmetric import asymmetric

asymmetric.router("/add")(add)
asymmetric.router("/items/{item_id}", methods=["get"])(get_item)
asymmetric.router("/flaky", methods=["get"])(flaky)
asymmetric.router("/secret", auth=True)(secret)
