"""Linear classifiers trained by minibatch stochastic gradient descent."""

import os

import numpy as np

from .linear_svm import *
from .softmax import *


class LinearClassifier(object):
    """Base class: holds the weights W and trains them with SGD."""

    def __init__(self):
        self.W = None

    def train(
        self,
        X,
        y,
        learning_rate=1e-3,
        reg=1e-5,
        num_iters=100,
        batch_size=200,
        verbose=False,
    ):
        """
        Train the classifier with minibatch stochastic gradient descent.

        Inputs:
        - X: numpy array of shape (N, D) of training data, N examples of
          dimension D.
        - y: numpy array of shape (N,) of training labels; y[i] = c means
          X[i] belongs to class c, with 0 <= c < C for C classes.
        - learning_rate: (float) step size of each update.
        - reg: (float) regularization strength.
        - num_iters: (integer) number of SGD steps.
        - batch_size: (integer) number of examples drawn for each step.
        - verbose: (boolean) if true, print the loss now and then.

        Returns:
        - loss_history: list of the loss at every iteration.
        """
        num_train, dim = X.shape
        # Labels run from 0 to K - 1, so there are K = max(y) + 1 classes.
        num_classes = np.max(y) + 1
        if self.W is None:
            # Small random initial weights.
            self.W = 0.001 * np.random.randn(dim, num_classes)

        loss_history = []
        for it in range(num_iters):
            X_batch = None
            y_batch = None

            # ==================== TODO ==================== #
            # Draw batch_size examples at random from the training data and
            # store them in X_batch, shape (batch_size, dim), and their
            # labels in y_batch, shape (batch_size,). Sample WITH
            # replacement (np.random.choice with replace=True); it is
            # faster than sampling without.
            # ============================================== #
            pass
            # ============== END OF YOUR CODE ============== #

            # Loss and gradient on this minibatch.
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)

            # ==================== TODO ==================== #
            # Take one plain gradient descent step: move self.W against
            # the gradient, scaled by the learning rate.
            # ============================================== #
            pass
            # ============== END OF YOUR CODE ============== #

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))

        return loss_history

    def predict(self, X):
        """
        Predict labels with the trained weights.

        Inputs:
        - X: numpy array of shape (N, D) of data points.

        Returns:
        - y_pred: numpy array of shape (N,) of predicted labels, each an
          integer class index.
        """
        y_pred = np.zeros(X.shape[0])
        # ==================== TODO ==================== #
        # Score every class for every example and store in y_pred the index
        # of the highest-scoring class of each example.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """
        Loss and gradient; each subclass supplies its own.

        Inputs:
        - X_batch: numpy array of shape (N, D), a minibatch of N examples.
        - y_batch: numpy array of shape (N,) of their labels.
        - reg: (float) regularization strength.

        Returns a tuple of:
        - loss: a single float.
        - gradient with respect to self.W, an array of the same shape as W.
        """
        pass

    def save(self, fname):
        """
        Save the weights to cs231n/saved/fname, as np.save of the
        dictionary {"W": self.W}.

        Inputs:
        - fname: file name, e.g. 'softmax.npy'.
        """
        fpath = os.path.join(os.path.dirname(__file__), "../saved/", fname)
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        np.save(fpath, {"W": self.W})
        print(fname, "saved.")

    def load(self, fname):
        """
        Load the weights saved by save(fname) from cs231n/saved/fname.

        Inputs:
        - fname: file name, e.g. 'softmax.npy'.

        Returns:
        - True if the file was there and self.W now holds its weights,
          False (and self.W unchanged) otherwise.
        """
        fpath = os.path.join(os.path.dirname(__file__), "../saved/", fname)
        if not os.path.exists(fpath):
            print(fname, "not available.")
            return False
        params = np.load(fpath, allow_pickle=True).item()
        self.W = params["W"]
        print(fname, "loaded.")
        return True


class LinearSVM(LinearClassifier):
    """Linear classifier trained with the multiclass SVM loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """Linear classifier trained with the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
