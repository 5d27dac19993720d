"""Realistic assignment-2 mistakes and the checks that must catch them."""
from . import Mutant, mutant

A2, LAYERS = "assignment2", "cs231n/layers.py"
OPTIM, FC_NET, CNN = "cs231n/optim.py", "cs231n/classifiers/fc_net.py", "cs231n/classifiers/cnn.py"

RUNNING_UPDATE = ("        running_mean = momentum * running_mean + (1 - momentum) * sample_mean\n"
                  "        running_var = momentum * running_var + (1 - momentum) * sample_var\n")
TEST_MODE = ("        x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n"
             "        out = gamma * x_hat + beta\n")
ALT_DX = ("    dx = (\n"
          "        dx_hat\n"
          "        - np.mean(dx_hat, axis=0)\n"
          "        - x_hat * np.mean(dx_hat * x_hat, axis=0)\n"
          "    ) / std\n")
LN_STATS = ("    sample_mean = np.mean(x, axis=1, keepdims=True)\n"
            "    x_centered = x - sample_mean\n"
            "    std = np.sqrt(np.mean(x_centered ** 2, axis=1, keepdims=True) + eps)\n")
POOL_ROUTE = ("            routed = np.zeros(window.shape, dtype=dx.dtype)\n"
              "            routed[flat_rows, winners] = dout[:, :, i, j].reshape(N * C)\n")
SBN_FORWARD = ("    x_columns = x.transpose(0, 2, 3, 1).reshape(-1, C)\n"
               "    out_columns, cache = batchnorm_forward(x_columns, gamma, beta, bn_param)\n"
               "    out = out_columns.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n")
GN_GRADS = ("    dbeta = np.sum(dout, axis=(0, 2, 3), keepdims=True)\n"
            "    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3), keepdims=True)\n")
ADAM_CORRECTION = ('    m_hat = config["m"] / (1 - beta1 ** config["t"])\n'
                   '    v_hat = config["v"] / (1 - beta2 ** config["t"])\n')

MUTANTS: list[Mutant] = [
    mutant("batchnorm running averages never updated", A2, LAYERS, [(RUNNING_UPDATE, "")],
           {"batchnorm: running averages updated in bn_param",
            "fc_net: batchnorm: test-mode scores use the running averages"},
           "the running mean and variance stay zero, so test mode divides by sqrt(eps)",
           hint="running_mean was not updated"),
    mutant("batchnorm momentum weighs the new batch", A2, LAYERS,
           [(RUNNING_UPDATE, "        running_mean = (1 - momentum) * running_mean + momentum * sample_mean\n"
                             "        running_var = (1 - momentum) * running_var + momentum * sample_var\n")],
           {"batchnorm: running averages updated in bn_param",
            "fc_net: batchnorm: test-mode scores use the running averages"},
           hint="the momentum weighs the old running average"),
    mutant("batchnorm test mode ignores gamma and beta", A2, LAYERS,
           [(TEST_MODE, "        x_hat = (x - running_mean) / np.sqrt(running_var + eps)\n        out = x_hat\n")],
           {"batchnorm: batchnorm_forward, test mode", "spatial_norm: spatial_batchnorm_forward",
            "fc_net: batchnorm: test-mode scores use the running averages"},
           hint="scale by gamma and shift by beta"),
    mutant("batchnorm test mode uses the batch statistics", A2, LAYERS,
           [(TEST_MODE, "        x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)\n"
                        "        out = gamma * x_hat + beta\n")],
           {"batchnorm: batchnorm_forward, test mode", "spatial_norm: spatial_batchnorm_forward",
            "fc_net: batchnorm: test-mode scores use the running averages"},
           hint="not with the statistics of the batch"),
    mutant("batchnorm_backward without the gradient through the mean", A2, LAYERS,
           [("    dx = dx_centered + dmean / N\n", "    dx = dx_centered\n")],
           {"batchnorm: batchnorm_backward", "fc_net: loss and gradients with batchnorm",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"}),
    mutant("batchnorm_backward_alt without the x_hat term", A2, LAYERS,
           [(ALT_DX, "    dx = (dx_hat - np.mean(dx_hat, axis=0)) / std\n")],
           {"batchnorm: batchnorm_backward_alt", "spatial_norm: spatial_batchnorm_backward"},
           "spatial batchnorm's backward calls the _alt version"),
    mutant("batchnorm_backward_alt loops over the features", A2, LAYERS,
           [(ALT_DX, "    dx = np.empty_like(dx_hat)\n"
                     "    for j in range(dx_hat.shape[1]):\n"
                     "        column, normal = dx_hat[:, j], x_hat[:, j]\n"
                     "        dx[:, j] = (column - column.mean() - normal * np.mean(column * normal)) / std[j]\n")],
           {"batchnorm: batchnorm_backward_alt runs about as fast as batchnorm_backward, or faster"},
           "right values, but far slower than the step-by-step version"),
    mutant("layernorm statistics over the batch", A2, LAYERS,
           [(LN_STATS, LN_STATS.replace("axis=1", "axis=0"))],
           {"layernorm: layernorm_forward", "layernorm: layernorm_backward",
            "fc_net: loss and gradients with layernorm", "fc_net: dropout: test-mode scores"},
           "normalizes each feature over the batch, as batchnorm does",
           hint="over its features (axis 1)"),
    mutant("dropout p taken as the drop probability", A2, LAYERS,
           [("mask = (np.random.rand(*x.shape) < p) / p", "mask = (np.random.rand(*x.shape) >= p) / (1 - p)")],
           {"dropout: train mode keeps each unit with probability p"},
           hint="probability of KEEPING a unit"),
    mutant("dropout not rescaled", A2, LAYERS,
           [("mask = (np.random.rand(*x.shape) < p) / p", "mask = (np.random.rand(*x.shape) < p) * 1.0")],
           {"dropout: train mode preserves the mean (inverted dropout)"},
           hint="not rescaled"),
    mutant("dropout scales by p at test time", A2, LAYERS,
           [("        out = x.copy()\n", "        out = x * p\n")],
           {"dropout: test mode returns the input unchanged", "fc_net: dropout: test-mode scores"},
           hint="returns the input unchanged"),
    mutant("dropout ignores the seed", A2, LAYERS,
           [('    if "seed" in dropout_param:\n        np.random.seed(dropout_param["seed"])\n', "")],
           {"dropout: the same seed gives the same mask", "dropout: dropout_backward matches a numerical gradient",
            "fc_net: dropout: active in training only, repeatable with a seed",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"},
           "every call draws a new mask, so a numerical gradient check cannot work",
           hint="np.random.seed(seed)"),
    mutant("conv_backward_naive keeps the padding in dx", A2, LAYERS,
           [("    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]\n", "    dx = dx_pad\n")],
           {"conv: conv_backward_naive"},
           hint="dx still has the padding"),
    mutant("conv_forward_naive without the bias", A2, LAYERS,
           [("np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b",
             "np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))")],
           {"conv: conv_forward_naive", "conv: conv_backward_naive matches a numerical gradient"},
           "the backward pass is right, but no longer the gradient of this forward pass"),
    mutant("max-pool gradient sent to every entry of the window", A2, LAYERS,
           [(POOL_ROUTE, "            routed = np.repeat(dout[:, :, i, j].reshape(N * C, 1), pool_h * pool_w, "
                         "axis=1)\n")],
           {"conv: max_pool_backward_naive"},
           hint="the input that held its maximum only"),
    mutant("spatial batchnorm reshapes without moving the channel axis", A2, LAYERS,
           [(SBN_FORWARD, "    x_columns = x.reshape(-1, C)\n"
                          "    out_columns, cache = batchnorm_forward(x_columns, gamma, beta, bn_param)\n"
                          "    out = out_columns.reshape(N, C, H, W)\n")],
           {"spatial_norm: spatial_batchnorm_forward", "spatial_norm: spatial batchnorm normalizes each channel "
            "over N, H and W", "spatial_norm: spatial_batchnorm_backward"},
           hint="move the channel axis last"),
    mutant("spatial groupnorm dgamma and dbeta of shape (C,)", A2, LAYERS,
           [(GN_GRADS, GN_GRADS.replace(", keepdims=True", ""))],
           {"spatial_norm: spatial_groupnorm_backward"},
           hint="should have the shape of gamma and beta"),
    mutant("spatial groupnorm groups of interleaved channels", A2, LAYERS,
           [("    x_groups = x.reshape(N, G, C // G, H, W)\n",
             "    x_groups = x.reshape(N, C // G, G, H, W).swapaxes(1, 2)\n")],
           {"spatial_norm: spatial_groupnorm_forward",
            "spatial_norm: spatial groupnorm normalizes each group over its channels, H and W",
            "spatial_norm: spatial_groupnorm_backward"}),
    mutant("sgd_momentum steps without the velocity", A2, OPTIM,
           [("    next_w = w + v\n", '    next_w = w - config["learning_rate"] * dw\n')],
           {"optim: sgd_momentum, several steps from a given velocity", "fc_net: accuracy on held-out images"},
           "the first step from zero velocity is the same, so only several steps (and training) show it"),
    mutant("rmsprop without the square root", A2, OPTIM,
           [('np.sqrt(config["cache"]) + config["epsilon"]', 'config["cache"] + config["epsilon"]')],
           {"optim: rmsprop, first step", "optim: rmsprop, several steps from a given cache"}),
    mutant("adam without bias correction", A2, OPTIM,
           [(ADAM_CORRECTION, '    m_hat = config["m"]\n    v_hat = config["v"]\n')],
           {"optim: adam, first step", "optim: adam, several steps from a given m, v and t",
            "cnn: one epoch of training: accuracy on held-out images"},
           hint="no bias correction"),
    mutant("adam increments t after the bias correction", A2, OPTIM,
           [('    config["t"] += 1\n', ""),
            ("    next_w = w - config[\"learning_rate\"] * m_hat / (np.sqrt(v_hat) + config[\"epsilon\"])\n",
             "    next_w = w - config[\"learning_rate\"] * m_hat / (np.sqrt(v_hat) + config[\"epsilon\"])\n"
             "    config[\"t\"] += 1\n")],
           {"optim: adam, first step", "optim: adam, several steps from a given m, v and t",
            "cnn: one epoch of training: accuracy on held-out images"},
           "the first step divides by 1 - beta**0 = 0",
           hint="increase t by one before the bias correction"),
    mutant("fully connected net: no penalty in the weight gradients", A2, FC_NET,
           [('grads["W%d" % L] = dW + self.reg * p["W%d" % L]', 'grads["W%d" % L] = dW'),
            ('grads["W%d" % layer] = dW + self.reg * p["W%d" % layer]', 'grads["W%d" % layer] = dW')],
           {"fc_net: loss and gradients with regularization", "fc_net: loss and gradients with batchnorm",
            "fc_net: loss and gradients with layernorm",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"},
           hint="missing the penalty's share reg * W"),
    mutant("fully connected net: dbeta stored as the gamma gradient", A2, FC_NET,
           [('grads["gamma%d" % layer] = dgamma', 'grads["gamma%d" % layer] = dbeta')],
           {"fc_net: loss and gradients with batchnorm", "fc_net: loss and gradients with layernorm",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"}),
    mutant("fully connected net: weights drawn without weight_scale", A2, FC_NET,
           [('self.params["W%d" % layer] = weight_scale * np.random.randn(fan_in, fan_out)',
             'self.params["W%d" % layer] = np.random.randn(fan_in, fan_out)')],
           {"fc_net: parameter names, shapes and initial values", "fc_net: overfits 50 training images with the Solver",
            "fc_net: accuracy on held-out images"},
           "unit-variance weights on raw pixels saturate the softmax, and training goes nowhere",
           hint="std weight_scale"),
    mutant("fully connected net: dropout left on at test time", A2, FC_NET,
           [('self.dropout_param["mode"] = mode', 'self.dropout_param["mode"] = "train"')],
           {"fc_net: dropout: test-mode scores", "fc_net: dropout: active in training only, repeatable with a seed"}),
    mutant("three-layer net: no penalty in W1's gradient", A2, CNN,
           [('        grads["W1"] += self.reg * W1\n', "")],
           {"cnn: loss and gradients with regularization"}),
    mutant("three-layer net: hidden layer without ReLU", A2, CNN,
           [("hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)",
             "hidden, hidden_cache = affine_forward(pooled, W2, b2)"),
            ("dpooled, grads[\"W2\"], grads[\"b2\"] = affine_relu_backward(dhidden, hidden_cache)",
             "dpooled, grads[\"W2\"], grads[\"b2\"] = affine_backward(dhidden, hidden_cache)")],
           {"cnn: scores with injected parameters", "cnn: loss and gradients with injected parameters",
            "cnn: loss and gradients with regularization"}),
    # -- mistakes found in real students' folders (issue 13), each with the hint it must get --------------
    mutant("conv_backward_naive slices dx_pad[pad:-pad]", A2, LAYERS,
           [("    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]\n", "    dx = dx_pad[:, :, pad:-pad, pad:-pad]\n")],
           {"conv: conv_backward_naive"}, "right for every pad but 0, where the slice is empty",
           hint="is empty (-0 is 0)"),
    mutant("max-pool backward assigns where windows overlap", A2, LAYERS,
           [("dx[:, :, top:top + pool_h, left:left + pool_w] += routed.reshape(",
             "dx[:, :, top:top + pool_h, left:left + pool_w] = routed.reshape(")],
           {"conv: max_pool_backward_naive"}, "right for the usual 2x2 pools of stride 2",
           hint="instead of assigning it"),
    mutant("max-pool forward loops over the width to the height", A2, LAYERS,
           [("        for j in range(W_out):\n            left = j * stride\n"
             "            window = x[:, :, top:top + pool_h, left:left + pool_w]\n            out[",
             "        for j in range(H_out):\n            left = j * stride\n"
             "            window = x[:, :, top:top + pool_h, left:left + pool_w]\n            out[")],
           {"conv: max_pool_forward_naive"}, "right for square inputs", hint="runs to its height"),
    mutant("batchnorm running averages of shape (1, D)", A2, LAYERS,
           [("        sample_mean = np.mean(x, axis=0)\n        x_centered = x - sample_mean\n"
             "        sample_var = np.mean(x_centered ** 2, axis=0)\n",
             "        sample_mean = np.mean(x, axis=0, keepdims=True)\n        x_centered = x - sample_mean\n"
             "        sample_var = np.mean(x_centered ** 2, axis=0, keepdims=True)\n")],
           {"batchnorm: running averages updated in bn_param"}, "every output broadcasts to the right values",
           hint="has the right values but shape (1, 4)"),
    mutant("layernorm eps added to the standard deviation", A2, LAYERS,
           [(LN_STATS, LN_STATS.replace("keepdims=True) + eps)", "keepdims=True)) + eps"))],
           {"layernorm: layernorm_forward", "layernorm: layernorm_backward", "fc_net: loss and gradients with layernorm",
            "fc_net: dropout: test-mode scores"}, hint="eps goes inside the square root"),
    mutant("batchnorm dgamma and dbeta of shape (1, D)", A2, LAYERS,
           [("    dbeta = np.sum(dout, axis=0)\n    dgamma = np.sum(dout * x_hat, axis=0)\n    dx_hat = dout * gamma\n\n"
             "    # x_hat", "    dbeta = np.sum(dout, axis=0, keepdims=True)\n"
             "    dgamma = np.sum(dout * x_hat, axis=0, keepdims=True)\n    dx_hat = dout * gamma\n\n    # x_hat")],
           {"batchnorm: batchnorm_backward", "fc_net: loss and gradients with batchnorm",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"}, hint="keepdims=True"),
    mutant("layernorm backward uses x for x - mean", A2, LAYERS,
           [("    cache = (x_hat, std, gamma)\n", "    cache = (x / std, std, gamma)\n")],
           {"layernorm: layernorm_backward", "fc_net: loss and gradients with layernorm"},
           hint="uses x where the centered x - mean belongs"),
    mutant("spatial groupnorm statistics per pixel", A2, LAYERS,
           [("    group_mean = np.mean(x_groups, axis=(2, 3, 4), keepdims=True)\n",
             "    group_mean = np.mean(x_groups, axis=2, keepdims=True)\n"),
            ("    std = np.sqrt(np.mean(x_centered ** 2, axis=(2, 3, 4), keepdims=True) + eps)\n",
             "    std = np.sqrt(np.mean(x_centered ** 2, axis=2, keepdims=True) + eps)\n"),
            ("    dx_hat = (dout * gamma).reshape(N, G, -1)\n    x_hat_groups = x_hat.reshape(N, G, -1)\n",
             "    dx_hat = (dout * gamma).reshape(N, G, C // G, H, W)\n"
             "    x_hat_groups = x_hat.reshape(N, G, C // G, H, W)\n"),
            ("    ) / std.reshape(N, G, 1)\n", "    ) / std\n")],
           {"spatial_norm: spatial_groupnorm_forward",
            "spatial_norm: spatial groupnorm normalizes each group over its channels, H and W",
            "spatial_norm: spatial_groupnorm_backward"}, "a backward pass to match", hint="per pixel"),
    mutant("spatial batchnorm statistics over N only", A2, LAYERS,
           [(SBN_FORWARD, "    x_columns = x.reshape(N, -1)\n    out_columns, cache = batchnorm_forward(x_columns, "
                          "np.repeat(gamma, H * W), np.repeat(beta, H * W), bn_param)\n"
                          "    out = out_columns.reshape(N, C, H, W)\n"),
            ("    dout_columns = dout.transpose(0, 2, 3, 1).reshape(-1, C)\n"
             "    dx_columns, dgamma, dbeta = batchnorm_backward_alt(dout_columns, cache)\n"
             "    dx = dx_columns.reshape(N, H, W, C).transpose(0, 3, 1, 2)\n",
             "    dx_columns, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(N, -1), cache)\n"
             "    dgamma, dbeta = dgamma.reshape(C, -1).sum(axis=1), dbeta.reshape(C, -1).sum(axis=1)\n"
             "    dx = dx_columns.reshape(N, C, H, W)\n")],
           {"spatial_norm: spatial_batchnorm_forward",
            "spatial_norm: spatial batchnorm normalizes each channel over N, H and W",
            "spatial_norm: spatial_batchnorm_backward"}, "a backward pass to match", hint="over N alone"),
    mutant("fully connected net: last layer's W left out of the penalty", A2, FC_NET,
           [('        for layer in range(1, L + 1):\n            W = p["W%d" % layer]',
             '        for layer in range(1, L):\n            W = p["W%d" % layer]'),
            ('grads["W%d" % L] = dW + self.reg * p["W%d" % L]', 'grads["W%d" % L] = dW')],
           {"fc_net: loss and gradients with regularization", "fc_net: loss and gradients with batchnorm",
            "fc_net: loss and gradients with layernorm"}, hint="leaves out the last layer's weights"),
    mutant("fully connected net: 10 classes hard-coded", A2, FC_NET,
           [("layer_sizes = [input_dim] + list(hidden_dims) + [num_classes]",
             "layer_sizes = [input_dim] + list(hidden_dims) + [10]")],
           {"fc_net: parameter names, shapes and initial values"}, hint="not a fixed 10"),
    mutant("fully connected net: beta gradient set to the affine layer's db", A2, FC_NET,
           [('            if norm_cache is not None:\n                grads["gamma%d" % layer] = dgamma\n'
             '                grads["beta%d" % layer] = dbeta\n'
             '            dhidden, dW, db = affine_backward(dhidden, fc_cache)\n',
             '            dhidden, dW, db = affine_backward(dhidden, fc_cache)\n'
             '            if norm_cache is not None:\n                grads["gamma%d" % layer] = dgamma\n'
             '                grads["beta%d" % layer] = db\n')],
           {"fc_net: loss and gradients with batchnorm", "fc_net: loss and gradients with layernorm",
            "fc_net: dropout: gradients match a numerical gradient (fixed seed)"}, hint="holds the affine layer's db"),
    mutant("three-layer net: pooled width computed from the height", A2, CNN,
           [("        pooled_w = 1 + (conv_w - 2) // 2\n", "        pooled_w = 1 + (conv_h - 2) // 2\n")],
           {"cnn: parameter names, shapes and initial values"}, "right for square images",
           hint="computed from H for both axes"),
    mutant("rmsprop leaves next_w = None", A2, OPTIM,
           [('    next_w = w - config["learning_rate"] * dw / (', '    w = w - config["learning_rate"] * dw / (')],
           {"optim: rmsprop, first step", "optim: rmsprop, several steps from a given cache"},
           "the chained steps then call rmsprop with w = None", hint="returned None for next_w",
           raises={"optim: rmsprop, several steps from a given cache"}),
]
