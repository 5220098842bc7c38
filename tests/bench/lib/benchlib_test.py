"""Unit tests of the bench harness's statistics and schedule (run by ctest: bench_lib_statistics)."""
import random
import unittest

from benchlib import median_ci, round_order


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


class RoundOrder(unittest.TestCase):
    def test_balanced_over_twice_as_many_rounds_as_commands(self):
        for k in (2, 3, 4, 5):
            orders = [round_order(i, k) for i in range(2 * k)]
            for order in orders:
                self.assertEqual(sorted(order), list(range(k)))
            for c in range(k):  # each command in each place twice
                self.assertEqual([sum(o[p] == c for o in orders) for p in range(k)], [2] * k, (k, c))
            for x in range(k):  # x runs before y in half of the rounds
                for y in range(k):
                    if x != y:
                        before = sum(o.index(x) < o.index(y) for o in orders)
                        self.assertEqual(before, k, (k, x, y))

    def test_pairs_alternate(self):
        self.assertEqual([round_order(i, 2) for i in range(4)], [[0, 1], [1, 0], [1, 0], [0, 1]])


if __name__ == "__main__":
    unittest.main()
