"""Forward and backward passes of the network layers.

Every forward function returns (out, cache); the matching backward function
takes the upstream gradient dout and that cache. Loss functions return
(loss, gradient).
"""

import numpy as np


def affine_forward(x, w, b):
    """
    Forward pass of a fully connected (affine) layer.

    Each of the N examples in x has shape (d_1, ..., d_k); it is flattened
    into a vector of length D = d_1 * ... * d_k before the product.

    Inputs:
    - x: numpy array of shape (N, d_1, ..., d_k), the input.
    - w: numpy array of shape (D, M), the weights.
    - b: numpy array of shape (M,), the biases.

    Returns a tuple of:
    - out: output, of shape (N, M).
    - cache: (x, w, b).
    """
    out = None
    # ==================== TODO ==================== #
    # Compute the affine forward pass and store the result in out: flatten
    # every example of x into a row of length D, multiply by w, add b.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """
    Backward pass of a fully connected (affine) layer.

    Inputs:
    - dout: upstream gradient, of shape (N, M).
    - cache: (x, w, b) from affine_forward, with
      - x: input of shape (N, d_1, ..., d_k)
      - w: weights of shape (D, M)
      - b: biases of shape (M,)

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, d_1, ..., d_k).
    - dw: gradient with respect to w, of shape (D, M).
    - db: gradient with respect to b, of shape (M,).
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    # ==================== TODO ==================== #
    # Compute the affine backward pass. dx must have the original shape of
    # x, not the flattened one.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx, dw, db


def relu_forward(x):
    """
    Forward pass of a layer of rectified linear units (ReLUs).

    Input:
    - x: numpy array of any shape.

    Returns a tuple of:
    - out: output, of the same shape as x.
    - cache: x.
    """
    out = None
    # ==================== TODO ==================== #
    # Compute the ReLU forward pass: max(0, x) elementwise.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """
    Backward pass of a layer of rectified linear units (ReLUs).

    Input:
    - dout: upstream gradient, of any shape.
    - cache: input x of the forward pass, of the same shape as dout.

    Returns:
    - dx: gradient with respect to x, of the same shape as x.
    """
    dx, x = None, cache
    # ==================== TODO ==================== #
    # Compute the ReLU backward pass: the gradient flows through only where
    # the input was positive. Do not modify dout or x in place.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx


def batchnorm_forward(x, gamma, beta, bn_param):
    """
    Forward pass of batch normalization.

    In train mode, each feature is normalized with the mean and the (biased)
    variance of the minibatch, then scaled by gamma and shifted by beta.
    Exponentially decaying running averages of these statistics are kept:

    running_mean = momentum * running_mean + (1 - momentum) * sample_mean
    running_var = momentum * running_var + (1 - momentum) * sample_var

    In test mode the running averages take the place of the batch
    statistics.

    Inputs:
    - x: data of shape (N, D).
    - gamma: scale, of shape (D,).
    - beta: shift, of shape (D,).
    - bn_param: dictionary with keys:
      - mode: 'train' or 'test'; required.
      - eps: constant added to the variance for numerical stability
        (default 1e-5).
      - momentum: constant of the running averages (default 0.9).
      - running_mean: array of shape (D,), running mean of the features;
        created as zeros when absent.
      - running_var: array of shape (D,), running variance of the features;
        created as zeros when absent.
      The updated running averages are stored back into bn_param.

    Returns a tuple of:
    - out: output, of shape (N, D).
    - cache: values needed by the backward pass (train mode only).
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)

    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        # ==================== TODO ==================== #
        # Train-mode forward pass: compute the mean and the (biased)
        # variance of every feature over the minibatch, normalize x with
        # them (adding eps to the variance), then scale by gamma and shift
        # by beta. Store the result in out and whatever the backward pass
        # needs in cache. Finally update running_mean and running_var with
        # the momentum formula above.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
    elif mode == "test":
        # ==================== TODO ==================== #
        # Test-mode forward pass: normalize x with running_mean and
        # running_var (plus eps), then scale by gamma and shift by beta.
        # Store the result in out.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

    # Keep the updated running averages in bn_param.
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var

    return out, cache


def batchnorm_backward(dout, cache):
    """
    Backward pass of batch normalization, going back through the
    computational graph of the forward pass one node at a time.

    Inputs:
    - dout: upstream gradient, of shape (N, D).
    - cache: intermediate values from batchnorm_forward.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D).
    - dgamma: gradient with respect to gamma, of shape (D,).
    - dbeta: gradient with respect to beta, of shape (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # ==================== TODO ==================== #
    # Backpropagate through batch normalization step by step: write the
    # forward pass as a sequence of simple operations (mean, centering,
    # variance, square root, division, scale and shift) and push the
    # gradient back through each of them in reverse order.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #

    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """
    Backward pass of batch normalization with the gradient worked out on
    paper and simplified to a single expression for dx.

    Inputs and outputs are the same as for batchnorm_backward.
    """
    dx, dgamma, dbeta = None, None, None
    # ==================== TODO ==================== #
    # Derive the gradient of the loss with respect to x in closed form and
    # implement it in as few steps as you can; it should match
    # batchnorm_backward and run faster.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #

    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """
    Forward pass of layer normalization.

    Each example is normalized over its own D features, so the result does
    not depend on the other examples of the batch and train and test time
    behave the same. The normalized values are scaled by gamma and shifted
    by beta, as in batch normalization.

    Inputs:
    - x: data of shape (N, D).
    - gamma: scale, of shape (D,).
    - beta: shift, of shape (D,).
    - ln_param: dictionary with key:
      - eps: constant added to the variance for numerical stability
        (default 1e-5).

    Returns a tuple of:
    - out: output, of shape (N, D).
    - cache: values needed by the backward pass.
    """
    out, cache = None, None
    eps = ln_param.get("eps", 1e-5)
    # ==================== TODO ==================== #
    # Layer normalization forward pass: compute the mean and the (biased)
    # variance of each example over its features, normalize with them
    # (adding eps to the variance), then scale by gamma and shift by beta.
    # Hint: this is batch normalization done along the other axis.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return out, cache


def layernorm_backward(dout, cache):
    """
    Backward pass of layer normalization.

    Inputs:
    - dout: upstream gradient, of shape (N, D).
    - cache: intermediate values from layernorm_forward.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D).
    - dgamma: gradient with respect to gamma, of shape (D,).
    - dbeta: gradient with respect to beta, of shape (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # ==================== TODO ==================== #
    # Layer normalization backward pass. Hint: your batch normalization
    # gradient applies, with the statistics taken along the feature axis.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """
    Forward pass of (inverted) dropout.

    Inputs:
    - x: input data, of any shape.
    - dropout_param: dictionary with keys:
      - p: probability of KEEPING each neuron's output.
      - mode: 'test' or 'train'. In train mode a random mask drops outputs;
        in test mode the input passes through unchanged.
      - seed: optional seed of the random number generator, which makes the
        mask reproducible (for gradient checks, not for real networks).

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: (dropout_param, mask). In train mode mask is the array x was
      multiplied by; in test mode it is None.
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])

    mask = None
    out = None

    if mode == "train":
        # ==================== TODO ==================== #
        # Train-mode forward pass of inverted dropout: keep each entry with
        # probability p (draw with np.random.rand of x's shape and compare
        # with p), and divide the kept entries by p so the expected output
        # equals the input. Store the mask, scaling included, in mask and
        # the result, with x's dtype, in out.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
    elif mode == "test":
        # ==================== TODO ==================== #
        # Test-mode forward pass: dropout does nothing at test time.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #

    cache = (dropout_param, mask)
    return out, cache


def dropout_backward(dout, cache):
    """
    Backward pass of (inverted) dropout.

    Inputs:
    - dout: upstream gradient, of any shape.
    - cache: (dropout_param, mask) from dropout_forward.

    Returns:
    - dx: gradient with respect to x, of the same shape as dout.
    """
    dropout_param, mask = cache
    mode = dropout_param["mode"]

    dx = None
    if mode == "train":
        # ==================== TODO ==================== #
        # Train-mode backward pass of inverted dropout.
        # ============================================== #
        pass
        # ============== END OF YOUR CODE ============== #
    elif mode == "test":
        dx = dout
    return dx


def conv_forward_naive(x, w, b, conv_param):
    """
    A straightforward forward pass of a convolutional layer.

    The input has N examples of C channels, height H and width W. Each of
    the F filters spans all C channels and has height HH and width WW.

    Inputs:
    - x: input data, of shape (N, C, H, W).
    - w: filter weights, of shape (F, C, HH, WW).
    - b: biases, of shape (F,).
    - conv_param: dictionary with keys:
      - 'stride': step in pixels between neighboring receptive fields, the
        same horizontally and vertically.
      - 'pad': number of zero pixels added on every side of the input
        (along height and width only). Do not modify x itself.

    Returns a tuple of:
    - out: output, of shape (N, F, H', W') with
      H' = 1 + (H + 2 * pad - HH) // stride
      W' = 1 + (W + 2 * pad - WW) // stride
    - cache: (x, w, b, conv_param)
    """
    out = None
    # ==================== TODO ==================== #
    # Implement the convolutional forward pass. Pad x with zeros (np.pad),
    # then for every output position take the dot product of each filter
    # with the input window under it and add the filter's bias. Plain
    # loops are fine here.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """
    A straightforward backward pass of a convolutional layer.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W').
    - cache: (x, w, b, conv_param) as in conv_forward_naive.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, C, H, W).
    - dw: gradient with respect to w, of shape (F, C, HH, WW).
    - db: gradient with respect to b, of shape (F,).
    """
    dx, dw, db = None, None, None
    # ==================== TODO ==================== #
    # Implement the convolutional backward pass. Every output position
    # sends gradient back to the filter weights and to the input window it
    # was computed from. Accumulate the input gradient on the padded input
    # and drop the padding at the end.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """
    A straightforward forward pass of a max-pooling layer.

    Inputs:
    - x: input data, of shape (N, C, H, W).
    - pool_param: dictionary with keys:
      - 'pool_height': height of each pooling region.
      - 'pool_width': width of each pooling region.
      - 'stride': step between neighboring pooling regions.

    No padding is used.

    Returns a tuple of:
    - out: output, of shape (N, C, H', W') with
      H' = 1 + (H - pool_height) // stride
      W' = 1 + (W - pool_width) // stride
    - cache: (x, pool_param)
    """
    out = None
    # ==================== TODO ==================== #
    # Implement the max-pooling forward pass: every output entry is the
    # largest input value in its pooling window.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """
    A straightforward backward pass of a max-pooling layer.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H', W').
    - cache: (x, pool_param) as in the forward pass.

    Returns:
    - dx: gradient with respect to x, of shape (N, C, H, W).
    """
    dx = None
    # ==================== TODO ==================== #
    # Implement the max-pooling backward pass: the gradient of each output
    # entry goes entirely to the input position that held the window's
    # maximum; every other position of the window gets nothing from it.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """
    Forward pass of spatial batch normalization.

    Every channel is normalized with statistics taken over the batch and
    all spatial positions, i.e. over N * H * W values.

    Inputs:
    - x: input data, of shape (N, C, H, W).
    - gamma: scale, of shape (C,).
    - beta: shift, of shape (C,).
    - bn_param: dictionary as for batchnorm_forward, with keys:
      - mode: 'train' or 'test'; required.
      - eps: constant for numerical stability.
      - momentum: constant of the running averages. momentum = 0 replaces
        the running averages by the newest batch statistics; momentum = 1
        never changes them.
      - running_mean: array of shape (C,), running mean of the channels.
      - running_var: array of shape (C,), running variance of the channels.

    Returns a tuple of:
    - out: output, of shape (N, C, H, W).
    - cache: values needed by the backward pass.
    """
    out, cache = None, None
    # ==================== TODO ==================== #
    # Implement spatial batch normalization by calling the ordinary
    # batchnorm_forward: move the channel axis last and flatten the other
    # axes so every channel becomes one column, then undo the reshaping on
    # the output. It takes only a few lines.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """
    Backward pass of spatial batch normalization.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H, W).
    - cache: values from the forward pass.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, C, H, W).
    - dgamma: gradient with respect to gamma, of shape (C,).
    - dbeta: gradient with respect to beta, of shape (C,).
    """
    dx, dgamma, dbeta = None, None, None
    # ==================== TODO ==================== #
    # Implement the spatial batch normalization backward pass by calling
    # your ordinary batch normalization backward pass, with the same
    # reshaping as in the forward pass.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """
    Forward pass of spatial group normalization.

    The C channels of each example are split into G groups of C // G
    consecutive channels; every group is normalized over its channels and
    all spatial positions, independently of the other examples. The result
    is scaled and shifted per channel, as in layer normalization.

    Inputs:
    - x: input data, of shape (N, C, H, W).
    - gamma: scale, of shape (1, C, 1, 1).
    - beta: shift, of shape (1, C, 1, 1).
    - G: (integer) number of groups; it divides C.
    - gn_param: dictionary with key:
      - eps: constant added to the variance for numerical stability
        (default 1e-5).

    Returns a tuple of:
    - out: output, of shape (N, C, H, W).
    - cache: values needed by the backward pass.
    """
    out, cache = None, None
    eps = gn_param.get("eps", 1e-5)
    # ==================== TODO ==================== #
    # Implement the group normalization forward pass. Reshape x so each
    # group of each example has its own axis, compute the mean and the
    # (biased) variance of each group over its channels and positions,
    # normalize, restore the shape, and apply gamma and beta per channel.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """
    Backward pass of spatial group normalization.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H, W).
    - cache: values from the forward pass.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, C, H, W).
    - dgamma: gradient with respect to gamma, of shape (1, C, 1, 1).
    - dbeta: gradient with respect to beta, of shape (1, C, 1, 1).
    """
    dx, dgamma, dbeta = None, None, None
    # ==================== TODO ==================== #
    # Implement the group normalization backward pass. It is the layer
    # normalization gradient applied to each group, with the statistics
    # taken over the group's channels and positions.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return dx, dgamma, dbeta


def svm_loss(x, y):
    """
    Multiclass SVM (hinge) loss with margin 1 and its gradient.

    Inputs:
    - x: numpy array of shape (N, C); x[i, j] is the score of class j for
      the i-th input.
    - y: numpy array of shape (N,) of labels; y[i] is the label of x[i], with
      0 <= y[i] < C.

    Returns a tuple of:
    - loss: scalar, the loss averaged over the N inputs (no regularization).
    - dx: gradient of the loss with respect to x, of shape (N, C).
    """
    loss, dx = None, None

    # ==================== TODO ==================== #
    # Compute the SVM loss averaged over the N inputs and its gradient dx,
    # without Python loops.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return loss, dx


def softmax_loss(x, y):
    """
    Softmax (cross-entropy) loss and its gradient.

    Inputs:
    - x: numpy array of shape (N, C); x[i, j] is the score of class j for
      the i-th input.
    - y: numpy array of shape (N,) of labels; y[i] is the label of x[i], with
      0 <= y[i] < C.

    Returns a tuple of:
    - loss: scalar, the loss averaged over the N inputs (no regularization).
    - dx: gradient of the loss with respect to x, of shape (N, C).
    """
    loss, dx = None, None

    # ==================== TODO ==================== #
    # Compute the softmax loss averaged over the N inputs and its gradient
    # dx. Subtract each row's largest score before exponentiating to keep
    # the computation numerically stable.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return loss, dx
