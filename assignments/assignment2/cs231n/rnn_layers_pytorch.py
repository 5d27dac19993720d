"""Forward passes of the recurrent layers, on torch tensors.

PyTorch's autograd computes every gradient, so there are no backward
functions and no caches: each forward returns only its output. N is the
minibatch size, T the length of a sequence, D the size of an input vector,
H the size of the hidden state, V the size of the vocabulary.
"""

import torch


def affine_forward(x, w, b):
    """
    Forward pass of a fully connected (affine) layer.

    Each of the N examples in x has shape (d_1, ..., d_k); it is flattened
    into a vector of length D = d_1 * ... * d_k before the product.

    Inputs:
    - x: tensor of shape (N, d_1, ..., d_k), the input.
    - w: tensor of shape (D, M), the weights.
    - b: tensor of shape (M,), the biases.

    Returns:
    - out: output, of shape (N, M).
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """
    Forward pass of one timestep of a vanilla RNN with a tanh activation:

        next_h = tanh(x Wx + prev_h Wh + b)

    Inputs:
    - x: input of this timestep, of shape (N, D).
    - prev_h: hidden state of the previous timestep, of shape (N, H).
    - Wx: input-to-hidden weights, of shape (D, H).
    - Wh: hidden-to-hidden weights, of shape (H, H).
    - b: biases, of shape (H,).

    Returns:
    - next_h: the next hidden state, of shape (N, H).
    """
    next_h = None
    # ==================== TODO ==================== #
    # Compute one step of the vanilla RNN and store the new hidden state in
    # next_h.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return next_h


def rnn_forward(x, h0, Wx, Wh, b):
    """
    Forward pass of a vanilla RNN over a whole sequence: rnn_step_forward
    applied at each of the T timesteps, the hidden state of one step feeding
    the next.

    Inputs:
    - x: input sequence, of shape (N, T, D).
    - h0: initial hidden state, of shape (N, H).
    - Wx: input-to-hidden weights, of shape (D, H).
    - Wh: hidden-to-hidden weights, of shape (H, H).
    - b: biases, of shape (H,).

    Returns:
    - h: hidden states of every timestep, of shape (N, T, H); h[:, t] is
      the state after reading x[:, t].
    """
    h = None
    # ==================== TODO ==================== #
    # Run the RNN over the T timesteps of x, starting from h0, with your
    # rnn_step_forward, and store the T hidden states in h. Build h from a
    # list of states (torch.stack) rather than writing into a preallocated
    # tensor, so that autograd can follow every step.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return h


def word_embedding_forward(x, W):
    """
    Forward pass of a word embedding: word index i becomes the vector W[i].

    Inputs:
    - x: integer (long) tensor of shape (N, T) of word indices, each in
      [0, V).
    - W: word vectors, of shape (V, D).

    Returns:
    - out: the word vectors of every word of x, of shape (N, T, D).
    """
    out = None
    # ==================== TODO ==================== #
    # Look up the word vector of every index of x and store them in out.
    # A single indexing operation does it.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return out


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """
    Forward pass of one timestep of an LSTM.

    The activation a = x Wx + prev_h Wh + b has shape (N, 4H). Its four
    blocks of H columns are, in this order, the input gate i, the forget
    gate f, the output gate o and the block input g:

        i = sigmoid(a[:, 0:H])        f = sigmoid(a[:, H:2H])
        o = sigmoid(a[:, 2H:3H])      g = tanh(a[:, 3H:4H])
        next_c = f * prev_c + i * g
        next_h = o * tanh(next_c)

    Inputs:
    - x: input of this timestep, of shape (N, D).
    - prev_h: hidden state of the previous timestep, of shape (N, H).
    - prev_c: cell state of the previous timestep, of shape (N, H).
    - Wx: input-to-hidden weights, of shape (D, 4H).
    - Wh: hidden-to-hidden weights, of shape (H, 4H).
    - b: biases, of shape (4H,).

    Returns a tuple of:
    - next_h: the next hidden state, of shape (N, H).
    - next_c: the next cell state, of shape (N, H).
    """
    next_h, next_c = None, None
    # ==================== TODO ==================== #
    # Compute one step of the LSTM as described above and store the new
    # hidden state in next_h and the new cell state in next_c. Mind the
    # order of the gates in the 4H columns: i, f, o, g.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return next_h, next_c


def lstm_forward(x, h0, Wx, Wh, b):
    """
    Forward pass of an LSTM over a whole sequence: lstm_step_forward applied
    at each of the T timesteps. The initial hidden state is h0 and the
    initial cell state is zero; the cell states are not returned.

    Inputs:
    - x: input sequence, of shape (N, T, D).
    - h0: initial hidden state, of shape (N, H).
    - Wx: input-to-hidden weights, of shape (D, 4H).
    - Wh: hidden-to-hidden weights, of shape (H, 4H).
    - b: biases, of shape (4H,).

    Returns:
    - h: hidden states of every timestep, of shape (N, T, H).
    """
    h = None
    # ==================== TODO ==================== #
    # Run the LSTM over the T timesteps of x, starting from h0 and a cell
    # state of zeros (same shape, dtype and device as h0), with your
    # lstm_step_forward, and store the T hidden states in h.
    # ============================================== #
    pass
    # ============== END OF YOUR CODE ============== #
    return h


def temporal_affine_forward(x, w, b):
    """
    Forward pass of a temporal affine layer: the same affine map applied to
    the vector of every timestep of every sequence.

    Inputs:
    - x: input, of shape (N, T, D).
    - w: weights, of shape (D, M).
    - b: biases, of shape (M,).

    Returns:
    - out: output, of shape (N, T, M).
    """
    N, T, D = x.shape
    M = b.shape[0]
    out = (x.reshape(N * T, D) @ w + b).reshape(N, T, M)
    return out


def temporal_softmax_loss(x, y, mask, verbose=False):
    """
    Softmax loss of a sequence model: a cross-entropy loss at every timestep,
    summed over the timesteps and averaged over the minibatch. Timesteps
    whose mask entry is False (the <NULL> padding after the end of a
    caption) add nothing to the loss.

        loss = -sum over n, t of mask[n, t] * log(softmax(x[n, t])[y[n, t]]) / N

    Inputs:
    - x: scores, of shape (N, T, V).
    - y: integer (long) tensor of shape (N, T) of target indices, each in
      [0, V).
    - mask: boolean tensor of shape (N, T); mask[n, t] says whether the
      score x[n, t] counts towards the loss.
    - verbose: if True, print the shapes of the flattened tensors.

    Returns:
    - loss: scalar tensor, the loss.
    """
    N, T, V = x.shape
    x_flat = x.reshape(N * T, V)
    y_flat = y.reshape(N * T)
    mask_flat = mask.reshape(N * T)
    if verbose:
        print("x_flat:", tuple(x_flat.shape), "y_flat:", tuple(y_flat.shape))

    log_probs = torch.log_softmax(x_flat, dim=1)
    picked = log_probs[torch.arange(N * T, device=x.device), y_flat]
    loss = -(picked * mask_flat.to(x.dtype)).sum() / N
    return loss
