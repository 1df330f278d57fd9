"""The calculator functions behind legacy-style symmetric routes."""

from calc_functions import add, flaky, get_item, secret

from symmetric import symmetric

symmetric.router("/add")(add)
symmetric.router("/items/{item_id}", methods=["get"])(get_item)
symmetric.router("/flaky", methods=["get"])(flaky)
symmetric.router("/secret", auth_token=True)(secret)
