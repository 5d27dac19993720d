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

        # ==================== TODO ==================== #
        # Create the parameters of the network in self.params: filters
        # 'W1' and biases 'b1' of the convolution, weights 'W2' and biases 'b2'
        # of the hidden affine layer, weights 'W3' and biases 'b3' of the output
        # affine layer. Draw the weights from a normal distribution with mean 0
        # and standard deviation weight_scale; set the biases to zero. The
        # shapes are listed in the class docstring: the hidden layer reads the
        # whole output of the pooling layer.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        # Cast every parameter to the requested dtype.
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
        W1, b1 = self.params.get("W1"), self.params.get("b1")
        W2, b2 = self.params.get("W2"), self.params.get("b2")
        W3, b3 = self.params.get("W3"), self.params.get("b3")

        # Stride-1 convolution whose padding keeps the spatial size (odd filters).
        filter_size = W1.shape[2] if W1 is not None else 1
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}

        # 2x2 max pooling with stride 2.
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        scores = None
        # ==================== TODO ==================== #
        # Run the forward pass of the network and store the class scores
        # in `scores`. The sandwich layers of cs231n/layer_utils.py (for example
        # conv_relu_pool_forward and affine_relu_forward) make this short.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        if y is None:
            return scores

        loss, grads = 0.0, {}
        # ==================== TODO ==================== #
        # Compute the loss and the gradients of every parameter. The loss
        # is the softmax loss of the scores plus the L2 penalty
        # 0.5 * self.reg * (sum of the squared entries of W1, W2 and W3); store
        # the gradient of self.params[k] in grads[k], including the penalty's
        # share for the weights.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

        return loss, grads
