"""A two-layer fully connected network built from modular layers."""

import os

import numpy as np

from ..layers import *
from ..layer_utils import *


class TwoLayerNet(object):
    """
    A two-layer fully connected network with a ReLU nonlinearity and a
    softmax loss. The input has dimension D, the hidden layer H units, and
    the network scores C classes.

    The architecture is affine - relu - affine - softmax.

    The network holds no optimization logic: it works with a separate
    Solver object. Its learnable parameters are kept in the dictionary
    self.params, which maps parameter names to numpy arrays.
    """

    def __init__(
        self,
        input_dim=3 * 32 * 32,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
    ):
        """
        Initialize a new network.

        Inputs:
        - input_dim: an integer, the size D of the input.
        - hidden_dim: an integer, the size H of the hidden layer.
        - num_classes: an integer, the number C of classes.
        - weight_scale: scalar, standard deviation of the random initial
          weights.
        - reg: scalar, L2 regularization strength.
        """
        self.params = {}
        self.reg = reg

        # ==================== TODO ==================== #
        # Initialize the weights and biases. Draw the weights from a
        # Gaussian with mean 0 and standard deviation weight_scale, and set
        # the biases to zero. Keep them in self.params: the first layer's
        # under 'W1' (D, H) and 'b1' (H,), the second layer's under 'W2'
        # (H, C) and 'b2' (C,).
        # ============================================== #
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)
        # ============== END OF YOUR CODE ============== #

    def loss(self, X, y=None):
        """
        Compute the loss and gradients on a minibatch, or only the scores.

        Inputs:
        - X: array of input data of shape (N, d_1, ..., d_k).
        - y: array of labels of shape (N,); y[i] is the label of X[i].

        Returns:
        If y is None, run the test-time forward pass and return:
        - scores: array of shape (N, C); scores[i, c] is the score of
          class c for X[i].

        If y is not None, run a training-time forward and backward pass and
        return a tuple of:
        - loss: scalar loss.
        - grads: dictionary with the same keys as self.params, mapping each
          parameter name to the gradient of the loss with respect to it.
        """
        scores = None
        # ==================== TODO ==================== #
        # Implement the forward pass of the network: compute the class
        # scores for X and store them in scores.
        # ============================================== #
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)
        scores, scores_cache = affine_forward(hidden, W2, b2)
        # ============== END OF YOUR CODE ============== #

        # Without labels, return the scores.
        if y is None:
            return scores

        loss, grads = 0, {}
        # ==================== TODO ==================== #
        # Implement the backward pass of the network. Store the loss in
        # loss and the gradients in grads, so that grads['W1'] holds the
        # gradient with respect to self.params['W1'], and so on. Compute
        # the data loss with softmax and add the L2 penalty
        # 0.5 * self.reg * (sum of squared weights), for the weights only,
        # not the biases; the factor 0.5 makes its gradient self.reg * W.
        # ============================================== #
        data_loss, dscores = softmax_loss(scores, y)
        penalty = 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        loss = data_loss + penalty

        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)
        _, dW1, db1 = affine_relu_backward(dhidden, hidden_cache)

        grads["W1"] = dW1 + self.reg * W1
        grads["b1"] = db1
        grads["W2"] = dW2 + self.reg * W2
        grads["b2"] = db2
        # ============== END OF YOUR CODE ============== #

        return loss, grads

    def save(self, fname):
        """
        Save the parameters to cs231n/saved/fname, as np.save of the
        dictionary self.params.

        Inputs:
        - fname: file name, e.g. 'best_two_layer_net.npy'.
        """
        fpath = os.path.join(os.path.dirname(__file__), "../saved/", fname)
        os.makedirs(os.path.dirname(fpath), exist_ok=True)
        np.save(fpath, self.params)
        print(fname, "saved.")

    def load(self, fname):
        """
        Load the parameters saved by save(fname) from cs231n/saved/fname.

        Inputs:
        - fname: file name, e.g. 'best_two_layer_net.npy'.

        Returns:
        - True if the file was there and self.params now holds its
          parameters, False (and self.params unchanged) otherwise.
        """
        fpath = os.path.join(os.path.dirname(__file__), "../saved/", fname)
        if not os.path.exists(fpath):
            print(fname, "not available.")
            return False
        self.params = np.load(fpath, allow_pickle=True).item()
        print(fname, "loaded.")
        return True
