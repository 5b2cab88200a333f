from tests.helpers import check, check_raises, gradcheck, randn


def test_mul_add_sum():
    check(lambda M, x, y: (x * y + x).sum(), randn(3, 4), randn(4))


def test_broadcast_error():
    check_raises(lambda M, x, y: x + y, randn(3), randn(4))


def test_gradcheck_exp():
    gradcheck(lambda M, x: (x * x).exp(), randn(3), gradgrad=True)
