import numpy as np

from ..layers import *
from ..fast_layers import *
from ..layer_utils import *


class ThreeLayerConvNet(object):
    """
    A three-layer convolutional network:

        conv - relu - 2x2 max pool - affine - relu - affine - softmax

    It works on minibatches of N images of shape (C, H, W). The convolution
    has stride 1 and pads (filter_size - 1) // 2 zeros on each side, which keeps
    H and W unchanged for odd filter sizes; the pool has stride 2.

    Learnable parameters live in the dictionary self.params:
    - 'W1': filters of shape (num_filters, C, filter_size, filter_size); 'b1': (num_filters,).
    - 'W2': weights of shape (num_filters * H2 * W2, hidden_dim), where H2 x W2 is
      the pooled size (H // 2 x W // 2 for odd filter sizes); 'b2': (hidden_dim,).
    - 'W3': weights of shape (hidden_dim, num_classes); 'b3': (num_classes,).
    """

    def __init__(
        self,
        input_dim=(3, 32, 32),
        num_filters=32,
        filter_size=7,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        dtype=np.float32,
    ):
        """
        Build a new ThreeLayerConvNet.

        Inputs:
        - input_dim: tuple (C, H, W), the shape of one input image.
        - num_filters: int, number F of convolution filters.
        - filter_size: int, height and width of each filter.
        - hidden_dim: int, number of units of the hidden affine layer.
        - num_classes: int, number of classes.
        - weight_scale: float, standard deviation of the random initial weights.
        - reg: float, L2 regularization strength.
        - dtype: NumPy dtype of every parameter.
        """
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        C, H, W = input_dim
        pad = (filter_size - 1) // 2
        conv_h = 1 + (H + 2 * pad - filter_size)
        conv_w = 1 + (W + 2 * pad - filter_size)
        pooled_h = 1 + (conv_h - 2) // 2
        pooled_w = 1 + (conv_w - 2) // 2

        self.params["W1"] = weight_scale * np.random.randn(
            num_filters, C, filter_size, filter_size
        )
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(
            num_filters * pooled_h * pooled_w, hidden_dim
        )
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)

        for name, value in self.params.items():
            self.params[name] = value.astype(dtype)

    def loss(self, X, y=None):
        """
        Compute the class scores, or the loss and its gradients.

        Inputs:
        - X: input images of shape (N, C, H, W).
        - y: labels of shape (N,), y[i] in [0, num_classes); None asks for scores.

        Returns:
        If y is None:
        - scores: array of shape (N, num_classes), the class scores.
        Otherwise, a tuple of:
        - loss: float, softmax loss plus 0.5 * reg * (sum of squares of W1, W2, W3).
        - grads: dict with the same keys as self.params, each gradient of the same
          shape as its parameter.
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        # Stride-1 convolution whose padding keeps the spatial size (odd filters).
        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}

        # 2x2 max pooling with stride 2.
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        scores = None
        pooled, pool_cache = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)
        scores, scores_cache = affine_forward(hidden, W3, b3)

        if y is None:
            return scores

        loss, grads = 0.0, {}
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))

        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, hidden_cache)
        dpooled = dpooled.reshape(pooled.shape)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dpooled, pool_cache)

        grads["W1"] += self.reg * W1
        grads["W2"] += self.reg * W2
        grads["W3"] += self.reg * W3

        return loss, grads
