"""Unit tests of the bench harness's statistics (run by ctest: bench_lib_statistics)."""
import random
import unittest

from benchlib import median_ci


class MedianConfidenceInterval(unittest.TestCase):
    def test_order_statistics_from_the_binomial_tail(self):
        # P(Binomial(30, 1/2) <= 9) = 0.021, P(<= 10) = 0.049: the 10th and 21st of 30.
        self.assertEqual(median_ci(list(range(1, 31))), (10, 21))
        # P(Binomial(10, 1/2) <= 1) = 0.011, P(<= 2) = 0.055: the 2nd and 9th of 10.
        self.assertEqual(median_ci(list(range(10, 0, -1))), (2, 9))

    def test_too_few_values_give_min_and_max(self):
        # P(Binomial(5, 1/2) = 0) = 0.031 > 0.025: no order statistic can be left out.
        self.assertEqual(median_ci([5, 1, 4, 2, 3]), (1, 5))

    def test_covers_the_median_at_least_as_often_as_it_claims(self):
        rng = random.Random(5)
        for n in (10, 20, 30):
            trials = 3000
            hits = 0
            for _ in range(trials):
                lo, hi = median_ci([rng.expovariate(1.0) for _ in range(n)])
                hits += lo <= 0.6931471805599453 <= hi  # the median of Exp(1): ln 2
            self.assertGreaterEqual(hits / trials, 0.94, n)
            self.assertLessEqual(hits / trials, 0.995, n)  # not simply min and max


if __name__ == "__main__":
    unittest.main()
