"""Fully connected networks built from modular layers: the two-layer net and
FullyConnectedNet, with any number of hidden layers."""

import os

import numpy as np

from ..layers import *
from ..layer_utils import *


def _saved_path(fname):
    return os.path.join(os.path.dirname(__file__), "../saved/", fname)


def save_params(params, fname):
    """
    Save a dictionary of parameters to cs231n/saved/fname with np.save.
    """
    fpath = _saved_path(fname)
    os.makedirs(os.path.dirname(fpath), exist_ok=True)
    np.save(fpath, params)
    print(fname, "saved.")


def load_params(fname):
    """
    The dictionary of parameters save_params wrote to cs231n/saved/fname,
    or None (and a message) when there is no such file.
    """
    fpath = _saved_path(fname)
    if not os.path.exists(fpath):
        print(fname, "not available.")
        return None
    params = np.load(fpath, allow_pickle=True).item()
    print(fname, "loaded.")
    return params


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
        pass
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
        pass
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
        pass
        # ============== END OF YOUR CODE ============== #

        return loss, grads

    def save(self, fname):
        """
        Save self.params to cs231n/saved/fname (np.save of the dictionary).

        Inputs:
        - fname: file name, e.g. 'best_two_layer_net.npy'.
        """
        save_params(self.params, fname)

    def load(self, fname):
        """
        Load the parameters save(fname) wrote; returns True when the file was
        there (self.params then holds them), False otherwise.
        """
        params = load_params(fname)
        if params is None:
            return False
        self.params = params
        return True


class FullyConnectedNet(object):
    """
    A fully connected network with any number of hidden layers, ReLU
    nonlinearities and a softmax loss, with optional batch or layer
    normalization and optional dropout. For L = num_layers the architecture is

        {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    where the bracketed layers are present only when enabled.

    Learnable parameters live in the dictionary self.params:
    - 'W1' .. 'WL': weights; W1 has shape (input_dim, hidden_dims[0]),
      Wi has shape (hidden_dims[i-2], hidden_dims[i-1]) and WL has shape
      (hidden_dims[-1], num_classes).
    - 'b1' .. 'bL': biases, bi of shape (number of columns of Wi,).
    - 'gamma1' .. 'gamma(L-1)', 'beta1' .. 'beta(L-1)': with normalization only,
      scale and shift of the normalization after hidden layer i, each of shape
      (hidden_dims[i-1],).
    """

    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout_keep_ratio=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        """
        Build a new FullyConnectedNet.

        Inputs:
        - hidden_dims: list of ints, the size of each hidden layer (length L - 1).
        - input_dim: int, size D of one (flattened) input.
        - num_classes: int, number of classes C.
        - dropout_keep_ratio: float in (0, 1], probability of keeping a unit in
          dropout; 1 means no dropout.
        - normalization: None, 'batchnorm' or 'layernorm'.
        - reg: float, L2 regularization strength.
        - weight_scale: float, standard deviation of the random initial weights.
        - dtype: NumPy dtype of every parameter; float32 trains faster,
          float64 is needed for numerical gradient checks.
        - seed: if not None, passed to the dropout layers so that their masks
          are deterministic (for gradient checks).
        """
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        # ==================== TODO ==================== #
        # Create every parameter of the network in self.params.
        # For layer i = 1 .. num_layers, store the weights under 'W%d' % i, drawn
        # from a normal distribution with mean 0 and standard deviation
        # weight_scale, and the biases under 'b%d' % i, all zeros. The first
        # layer reads input_dim values, the last one produces num_classes scores.
        #
        # With normalization ('batchnorm' or 'layernorm'), every hidden layer i
        # (not the last layer) also needs a scale 'gamma%d' % i of ones and a
        # shift 'beta%d' % i of zeros, as long as that layer's output.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        # Dropout layers share one parameter dict; its 'mode' is set on every
        # call to loss, and a seed makes the masks repeatable.
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
        if seed is not None:
            self.dropout_param["seed"] = seed

        # One parameter dict per normalization layer; batch normalization keeps
        # its running mean and variance in it. Pass self.bn_params[0] to the
        # normalization after the first hidden layer, self.bn_params[1] to the
        # second, and so on.
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        # Cast every parameter to the requested dtype.
        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """
        Compute the class scores, or the loss and its gradients.

        Inputs:
        - X: input data of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = input_dim.
        - y: labels of shape (N,), y[i] in [0, num_classes); None asks for scores.

        Returns:
        If y is None (test mode):
        - scores: array of shape (N, num_classes), the class scores.
        Otherwise (train mode), a tuple of:
        - loss: float, softmax loss plus 0.5 * reg * (sum of squared weights W1..WL).
        - grads: dict with the same keys as self.params, each gradient of the same
          shape as its parameter.
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"

        # Batch normalization and dropout behave differently at train and test time.
        self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            bn_param["mode"] = mode

        scores = None
        # ==================== TODO ==================== #
        # Run the forward pass and store the class scores in `scores`.
        # Every hidden layer is affine - [batch/layer norm] - relu - [dropout]:
        # normalize with batchnorm_forward or layernorm_forward (using the
        # layer's gamma, beta and entry of self.bn_params) when
        # self.normalization asks for it, and apply dropout_forward with
        # self.dropout_param when self.use_dropout is True. The last layer is a
        # plain affine layer. Keep every cache you need for the backward pass.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        # In test mode, stop after the forward pass.
        if y is None:
            return scores

        loss, grads = 0.0, {}
        # ==================== TODO ==================== #
        # Compute the loss and the gradients of every parameter.
        # The loss is the softmax loss of the scores plus the L2 penalty
        # 0.5 * self.reg * (sum of the squared entries of every weight matrix
        # W1 .. WL; gammas, betas and biases are not penalized). Store the
        # gradient of self.params[k] in grads[k], including the penalty's share
        # for the weights, by walking the layers backwards with the caches.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        return loss, grads

    def save(self, fname):
        """
        Save self.params to cs231n/saved/fname (np.save of the dictionary).

        Inputs:
        - fname: file name, e.g. 'best_two_layer_net.npy'.
        """
        save_params(self.params, fname)

    def load(self, fname):
        """
        Load the parameters save(fname) wrote; returns True when the file was
        there (self.params then holds them), False otherwise.
        """
        params = load_params(fname)
        if params is None:
            return False
        self.params = params
        return True
