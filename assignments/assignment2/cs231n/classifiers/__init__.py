"""Model classes of assignment 2: FullyConnectedNet (fc_net) and ThreeLayerConvNet (cnn)."""
