"""A k-nearest-neighbor classifier that measures Euclidean (L2) distance."""

import numpy as np


class KNearestNeighbor(object):
    """kNN classifier: a test point gets the majority label of its k
    closest training points."""

    def __init__(self):
        pass

    def train(self, X, y):
        """
        Memorize the training data; a kNN classifier learns nothing else.

        Inputs:
        - X: numpy array of shape (num_train, D), one training example per row.
        - y: numpy array of shape (num_train,); y[i] is the label of X[i].
        """
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """
        Predict a label for every test example.

        Inputs:
        - X: numpy array of shape (num_test, D), one test example per row.
        - k: number of nearest neighbors that vote on each label.
        - num_loops: which distance routine to use (0, 1 or 2 Python loops).

        Returns:
        - y_pred: numpy array of shape (num_test,); y_pred[i] is the label
          predicted for X[i].
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError("num_loops must be 0, 1 or 2, got %r" % (num_loops,))

        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X):
        """
        Euclidean distance between every test and every training example,
        using one Python loop over test examples nested in one over training
        examples.

        Inputs:
        - X: numpy array of shape (num_test, D) of test examples.

        Returns:
        - dists: numpy array of shape (num_test, num_train); dists[i, j] is
          the Euclidean distance between X[i] and self.X_train[j].
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # ==================== TODO ==================== #
                # Store in dists[i, j] the Euclidean distance between the
                # i-th test point X[i] and the j-th training point
                # self.X_train[j]. Do not loop over the D dimensions: one
                # vectorized numpy expression is enough here.
                # ============================================== #
                pass
                # ============== END OF YOUR CODE ============== #
        return dists

    def compute_distances_one_loop(self, X):
        """
        Euclidean distance between every test and every training example,
        using a single Python loop over the test examples.

        Input and output: as for compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # ==================== TODO ==================== #
            # Fill the whole row dists[i, :] at once: the Euclidean
            # distances between X[i] and all training points. Let
            # broadcasting replace the loop over the training set, and do
            # not use np.linalg.norm.
            # ============================================== #
            pass
            # ============== END OF YOUR CODE ============== #
        return dists

    def compute_distances_no_loops(self, X):
        """
        Euclidean distance between every test and every training example,
        without any Python loop.

        Input and output: as for compute_distances_two_loops.
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # ==================== TODO ==================== #
        # Fill dists without any Python loop and without np.linalg.norm or
        # scipy. Hint: expand ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b; the
        # cross terms for all pairs are one matrix product, and the squared
        # norms broadcast against it. Round-off can make tiny values
        # negative, so clip them at zero before taking the square root.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
        return dists

    def predict_labels(self, dists, k=1):
        """
        Turn a distance matrix into predicted labels by a k-neighbor vote.

        Inputs:
        - dists: numpy array of shape (num_test, num_train); dists[i, j] is
          the distance between test point i and training point j.
        - k: number of nearest neighbors that vote.

        Returns:
        - y_pred: numpy array of shape (num_test,), same dtype as
          self.y_train; y_pred[i] is the label predicted for test point i.
        """
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=self.y_train.dtype)
        for i in range(num_test):
            # Labels of the k training points closest to test point i.
            closest_y = []
            # ==================== TODO ==================== #
            # Find the k training points nearest to test point i (row i of
            # dists; np.argsort helps) and put their labels, taken from
            # self.y_train, into closest_y.
            # ============================================== #
            pass
            # ============== END OF YOUR CODE ============== #

            # ==================== TODO ==================== #
            # Pick the label that occurs most often in closest_y and store
            # it in y_pred[i]. When several labels tie, choose the smallest.
            # ============================================== #
            pass
            # ============== END OF YOUR CODE ============== #

        return y_pred
