
q
TensorListGetItem
input_handle	
index
element_shape
item"element_dtype"
element_dtypetype